divert(-1)
#
# FEATURE(`local_no_masquerade') - the word local_no_masquerade in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
