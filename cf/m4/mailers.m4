divert(-1)
#
# mailers.m4 - the M lines, written by proto.m4 for the mailers that
# MAILER() asked for (local, with its prog mailer, is always there).
# The paths, arguments and flags follow the *_MAILER_PATH, *_MAILER_ARGS,
# *_MAILER_FLAGS, *_MAILER_MAX, *_MAILER_MAXMSGS and *_MAILER_LL
# variables and the features that change mailers (local_procmail,
# local_lmtp, local_mbox, smrsh, nullclient).
#
define(`_DFLT_', `ifdef(`$1', `$1', `$2')')
define(`_EQ_', `ifdef(`$2', `, $1=$2')')
define(`_PRE_', `ifdef(`$2', `$1=$2, ')')

# local
ifdef(`_LOCAL_MBOX_', `
	define(`_L_PATH_', `[MBOX]')
	define(`_L_ARGS_', `mail -d $u')
	define(`_L_FLAGS_', `Pn9')', `ifdef(`_LOCAL_PROCMAIL_', `
	define(`_L_PATH_', `ifelse(_LOCAL_PROCMAIL_PATH_, `',
	    `_DFLT_(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')',
	    `_LOCAL_PROCMAIL_PATH_')')
	define(`_L_ARGS_', `ifelse(_LOCAL_PROCMAIL_ARGS_, `',
	    `procmail -Y -a $h -d $u', `_LOCAL_PROCMAIL_ARGS_')')
	define(`_L_FLAGS_', `ifelse(_LOCAL_PROCMAIL_FLAGS_, `',
	    `SPfhn9', `_LOCAL_PROCMAIL_FLAGS_')')',
`ifdef(`_LOCAL_LMTP_', `
	define(`_L_PATH_', `_LOCAL_LMTP_PATH_')
	define(`_L_ARGS_', `_LOCAL_LMTP_ARGS_')
	define(`_L_FLAGS_', `PSXmnz9')
	define(`_L_SENDER_', `EnvFromSMTP')
	define(`_L_DIAG_', `SMTP')', `
	define(`_L_PATH_', `_DFLT_(`LOCAL_MAILER_PATH', `/bin/mail')')
	define(`_L_ARGS_', `_DFLT_(`LOCAL_MAILER_ARGS', `mail -d $u')')
	define(`_L_FLAGS_', `_DFLT_(`LOCAL_MAILER_FLAGS', `rmn9')')')')')
define(`_L_BASE_', `ifdef(`_FEATURE_nullclient_', `lsDFM5q', `lsDFMAw5:/|@q')')
dnl An LMTP local mailer is given SMTP's sender and reports SMTP codes.
ifdef(`_L_SENDER_',, `define(`_L_SENDER_', `EnvFromL')')
ifdef(`_L_DIAG_',, `define(`_L_DIAG_', `X-Unix')')

# prog
ifdef(`_SMRSH_PATH_', `
	define(`_P_PATH_', `_SMRSH_PATH_')
	define(`_P_ARGS_', `smrsh -c $u')', `
	define(`_P_PATH_', `_DFLT_(`LOCAL_SHELL_PATH', `/bin/sh')')
	define(`_P_ARGS_', `_DFLT_(`LOCAL_SHELL_ARGS', `sh -c $u')')')

# smtp family
define(`_SMTP_LINE_', `M$1,		P=[IPC], F=mDFMuX$2`'_DFLT_(`$5', `'), S=EnvFromSMTP/HdrFromSMTP, R=$3, E=\r\n, L=$4`'_EQ_(`M', `SMTP_MAILER_MAX')`'_EQ_(`m', `SMTP_MAILER_MAXMSGS'),
		T=DNS/RFC822/SMTP,
		A=_DFLT_(`$6', `TCP $h')
')
divert(0)dnl
Mlocal,		P=_L_PATH_, F=_L_BASE_`'_L_FLAGS_, S=_L_SENDER_/HdrFromL, R=EnvToL/HdrToL`'_EQ_(`M', `LOCAL_MAILER_MAX'),
		T=DNS/RFC822/_L_DIAG_,
		A=_L_ARGS_
Mprog,		P=_P_PATH_, F=lsDFMoqeu9`'_DFLT_(`LOCAL_SHELL_FLAGS', `'), S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=_DFLT_(`LOCAL_SHELL_DIR', `$z:/'),
		T=X-Unix/X-Unix/X-Unix,
		A=_P_ARGS_
ifdef(`_MAILER_smtp_', `dnl
_SMTP_LINE_(`smtp', `', `EnvToSMTP', `_DFLT_(`SMTP_MAILER_LL', `990')', `SMTP_MAILER_FLAGS', `SMTP_MAILER_ARGS')dnl
_SMTP_LINE_(`esmtp', `a', `EnvToSMTP', `_DFLT_(`SMTP_MAILER_LL', `990')', `SMTP_MAILER_FLAGS', `ESMTP_MAILER_ARGS')dnl
_SMTP_LINE_(`smtp8', `8', `EnvToSMTP', `_DFLT_(`SMTP_MAILER_LL', `990')', `SMTP_MAILER_FLAGS', `SMTP8_MAILER_ARGS')dnl
_SMTP_LINE_(`dsmtp', `a%', `EnvToSMTP', `_DFLT_(`SMTP_MAILER_LL', `990')', `SMTP_MAILER_FLAGS', `DSMTP_MAILER_ARGS')dnl
_SMTP_LINE_(`relay', `a8', `MasqSMTP', `_DFLT_(`RELAY_MAILER_LL', `2040')', `RELAY_MAILER_FLAGS', `RELAY_MAILER_ARGS')dnl
')dnl
ifdef(`_MAILER_cyrusv2_', `dnl
Mcyrusv2,	P=[IPC], F=lsDFMnqXz`'_DFLT_(`CYRUSV2_MAILER_FLAGS', `A@/:|m'),
		S=EnvFromSMTP/HdrFromL, R=EnvToL/HdrToL, E=\r\n,
		_PRE_(`m', `CYRUSV2_MAILER_MAXMSGS')_PRE_(`r', `CYRUSV2_MAILER_MAXRCPTS')_PRE_(`C', `CYRUSV2_MAILER_CHARSET')T=DNS/RFC822/SMTP,
		A=_DFLT_(`CYRUSV2_MAILER_ARGS', `FILE /var/run/cyrus/socket/lmtp')
')dnl
ifdef(`_MAILER_procmail_', `dnl
Mprocmail,	P=_DFLT_(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail'), F=DFMSPhnu9`'_DFLT_(`PROCMAIL_MAILER_FLAGS', `'), S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP/HdrFromSMTP`'_EQ_(`M', `PROCMAIL_MAILER_MAX'),
		T=DNS/RFC822/X-Unix,
		A=_DFLT_(`PROCMAIL_MAILER_ARGS', `procmail -Y -m $h $f $u')
')dnl
