divert(-1)
#
# FEATURE(`relay_local_from') - the word relay_local_from in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
