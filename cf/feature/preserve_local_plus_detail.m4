divert(-1)
#
# FEATURE(`preserve_local_plus_detail') - the word preserve_local_plus_detail in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
