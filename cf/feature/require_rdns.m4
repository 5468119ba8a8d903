divert(-1)
#
# FEATURE(`require_rdns') - the word require_rdns in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
