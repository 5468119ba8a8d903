divert(-1)
#
# FEATURE(`domaintable' [, spec]) - domain name mapping:
#	Kdomaintable hash /etc/mail/domaintable
#
define(`_CF_LOADED_', `1')dnl
define(`_DOMAINTABLE_SPEC_', ifelse(defn(`_ARG_'), `',
    `DATABASE_MAP_TYPE MAIL_SETTINGS_DIR`'domaintable', `defn(`_ARG_')'))
