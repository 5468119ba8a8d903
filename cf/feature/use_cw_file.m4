divert(-1)
#
# FEATURE(`use_cw_file') - the word use_cw_file in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
