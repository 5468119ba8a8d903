divert(-1)
#
# FEATURE(`relay_entire_domain') - the word relay_entire_domain in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
