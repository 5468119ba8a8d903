divert(-1)
#
# FEATURE(`accept_unqualified_senders') - the word accept_unqualified_senders in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
