divert(-1)
#
# FEATURE(`block_bad_helo') - the word block_bad_helo in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
