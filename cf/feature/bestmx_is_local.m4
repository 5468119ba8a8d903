divert(-1)
#
# FEATURE(`bestmx_is_local') - the word bestmx_is_local in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
