divert(-1)
#
# FEATURE(`authinfo' [, spec]) - client AUTH credentials for smart hosts:
#	Kauthinfo hash /etc/mail/authinfo
#
define(`_CF_LOADED_', `1')dnl
define(`_AUTHINFO_SPEC_', ifelse(defn(`_ARG_'), `',
    `DATABASE_MAP_TYPE MAIL_SETTINGS_DIR`'authinfo', `defn(`_ARG_')'))
