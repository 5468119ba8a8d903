divert(-1)
#
# FEATURE(`masquerade_envelope') - the word masquerade_envelope in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
