divert(-1)
#
# FEATURE(`genericstable' [, spec]) - outgoing sender rewriting:
#	Kgenerics hash /etc/mail/genericstable
#
define(`_CF_LOADED_', `1')dnl
define(`_GENERICS_SPEC_', ifelse(defn(`_ARG_'), `',
    `DATABASE_MAP_TYPE MAIL_SETTINGS_DIR`'genericstable', `defn(`_ARG_')'))
