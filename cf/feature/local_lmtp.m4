divert(-1)
#
# FEATURE(`local_lmtp' [, path [, argv]]) - local delivery over LMTP:
#	Mlocal, P=/usr/libexec/mail.local, F=...PSXmnz9,
#	S=EnvFromSMTP/HdrFromL, T=DNS/RFC822/SMTP, A=mail.local -l
# It sets the LOCAL_MAILER_ variables now, as sendmail's does.
#
define(`_CF_LOADED_', `1')dnl
define(`LOCAL_MAILER_PATH', ifelse(defn(`_ARG_'), `',
    `ifdef(`confEBINDIR', `defn(`confEBINDIR')', `/usr/libexec')`/mail.local'',
    `defn(`_ARG_')'))
define(`LOCAL_MAILER_ARGS', ifelse(defn(`_ARG2_'), `', `mail.local -l', `defn(`_ARG2_')'))
define(`LOCAL_MAILER_FLAGS', `PSXmnz9')
define(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE', `SMTP')
define(`_LOCAL_LMTP_', `1')
