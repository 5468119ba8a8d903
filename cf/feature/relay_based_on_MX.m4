divert(-1)
#
# FEATURE(`relay_based_on_MX') - the word relay_based_on_MX in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
