divert(-1)
#
# FEATURE(`ratecontrol') - the word ratecontrol in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
