divert(-1)
#
# FEATURE(`check_other') - the word check_other in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
