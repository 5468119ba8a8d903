divert(-1)
#
# FEATURE(`compat_check') - the word compat_check in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
