divert(-1)
#
# FEATURE(`conncontrol') - the word conncontrol in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
