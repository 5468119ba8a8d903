divert(-1)
#
# FEATURE(`notsticky') - the default, kept so that old .mc files still
# work: local addresses with a host part are not special (see stickyhost).
# It writes nothing but its word in the class {Features}.
#
define(`_CF_LOADED_', `1')dnl
