divert(-1)
#
# FEATURE(`relay_hosts_only') - the word relay_hosts_only in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
