divert(-1)
#
# OSTYPE(`bsd') - BSD systems: mail.local for local delivery.
#
define(`_CF_LOADED_', `1')dnl
define(`confEBINDIR', `/usr/libexec')
FEATURE(`local_lmtp')
