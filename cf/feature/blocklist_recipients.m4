divert(-1)
#
# FEATURE(`blocklist_recipients') - refuse recipients the access map
# lists with To: REJECT or ERROR.  Needs FEATURE(access_db) first.
#
define(`_CF_LOADED_', `1')dnl
ifdef(`_FEATURE_access_db_', `',
    `_CF_ERROR_(`FEATURE(blocklist_recipients) requires FEATURE(access_db) before it')')
