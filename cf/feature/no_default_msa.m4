divert(-1)
#
# FEATURE(`no_default_msa') - the word no_default_msa in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
