divert(-1)
#
# FEATURE(`blacklist_recipients') - the old name of blocklist_recipients.
#
define(`_CF_LOADED_', `1')dnl
_CF_WARN_(`FEATURE(blacklist_recipients) is deprecated; use FEATURE(blocklist_recipients)')
FEATURE(`blocklist_recipients')
