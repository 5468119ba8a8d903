divert(-1)
#
# FEATURE(`accept_unresolvable_domains') - the word accept_unresolvable_domains in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
