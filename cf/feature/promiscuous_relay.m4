divert(-1)
#
# FEATURE(`promiscuous_relay') - the word promiscuous_relay in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
