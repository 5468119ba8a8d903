divert(-1)
#
# FEATURE(`limited_masquerade') - the word limited_masquerade in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
