divert(-1)
#
# FEATURE(`virtusertable' [, spec]) - virtual addresses:
#	Kvirtuser hash /etc/mail/virtusertable
#
define(`_CF_LOADED_', `1')dnl
define(`_VIRTUSER_SPEC_', ifelse(defn(`_ARG_'), `',
    `DATABASE_MAP_TYPE MAIL_SETTINGS_DIR`'virtusertable', `defn(`_ARG_')'))
