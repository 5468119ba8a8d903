divert(-1)
#
# FEATURE(`use_client_ptr') - the word use_client_ptr in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
