divert(-1)
#
# FEATURE(`preserve_luser_host') - the word preserve_luser_host in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
