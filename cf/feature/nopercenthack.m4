divert(-1)
#
# FEATURE(`nopercenthack') - the word nopercenthack in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
