divert(-1)
#
# FEATURE(`mailertable' [, spec]) - routing per domain:
#	Kmailertable hash /etc/mail/mailertable
#
define(`_CF_LOADED_', `1')dnl
define(`_MAILERTABLE_SPEC_', ifelse(defn(`_ARG_'), `',
    `DATABASE_MAP_TYPE MAIL_SETTINGS_DIR`'mailertable', `defn(`_ARG_')'))
