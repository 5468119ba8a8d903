divert(-1)
#
# FEATURE(`loose_relay_check') - the word loose_relay_check in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
