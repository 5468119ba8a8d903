divert(-1)
#
# FEATURE(`access_db' [, spec [, `skip'] [, `lookupdotdomain']
#     [, `relaytofulladdress']]) - the access map:
#	Kaccess hash -T<TMPF> /etc/mail/access
# A map spec of one's own must keep -T<TMPF> (temporary lookup failures).
#
define(`_CF_LOADED_', `1')dnl
define(`_ACCESS_SPEC_', ifelse(defn(`_ARG_'), `',
    `DATABASE_MAP_TYPE -T<TMPF> MAIL_SETTINGS_DIR`'access', `defn(`_ARG_')'))
ifelse(index(defn(`_ACCESS_SPEC_'), `-T<TMPF>'), `-1',
    `_CF_ERROR_(`FEATURE(access_db): the map spec must contain -T<TMPF>')')
ifelse(defn(`_ARG2_'), `skip', `_CF_SET_ADD_(`_CF_FEATURES_', `access_skip')')
ifelse(defn(`_ARG3_'), `lookupdotdomain', `_CF_SET_ADD_(`_CF_FEATURES_', `lookupdotdomain')')
ifelse(defn(`_ARG4_'), `relaytofulladdress', `_CF_SET_ADD_(`_CF_FEATURES_', `relaytofulladdress')')
