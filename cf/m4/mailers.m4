divert(-1)
#
# mailers.m4 - the M lines, written by proto.m4 for the mailers that
# MAILER() asked for (local, with its prog mailer, is always there).
# Their fields come from sendmail's variables, each written only when
# the .mc defined it:
#	LOCAL_MAILER_PATH, _ARGS, _FLAGS, _EOL, _MAX, _MAXMSGS, _MAXRCPTS,
#	_CHARSET, _QGRP, _DSN_DIAGNOSTIC_CODE; LOCAL_SHELL_PATH, _ARGS,
#	_FLAGS, _DIR; LOCAL_PROG_QGRP; SMTP_MAILER_FLAGS, _ARGS, _LL, _MAX,
#	_MAXMSGS, _MAXRCPTS, _CHARSET, _QGRP (and ESMTP_, SMTP8_, DSMTP_
#	_ARGS and _QGRP); RELAY_MAILER_FLAGS, _ARGS, _LL, _MAXMSGS,
#	_CHARSET, _QGRP; PROCMAIL_MAILER_PATH (or PROCMAIL_PATH), _ARGS,
#	_FLAGS, _MAX, _QGRP.
# The features that change the local and prog mailers (local_procmail,
# local_lmtp, local_mbox, smrsh) set the LOCAL_ variables when they are
# read, as in sendmail, so a define after the FEATURE wins over it.
# MODIFY_MAILER_FLAGS changes the flags last (_CF_MF_, cf.m4).
#
define(`_DFLT_', `ifdef(`$1', `$1', `$2')')
# _F_(variable, field) - ", field=value" when the variable has a value
define(`_F_', `ifelse(defn(`$1'), `', `', `, $2=$1`'')')

# local and prog
define(`_L_BASE_', `ifdef(`_FEATURE_nullclient_', `lsDFM5q', `lsDFMAw5:/|@q')')
define(`_L_FROM_', `ifdef(`_LOCAL_LMTP_', `EnvFromSMTP', `EnvFromL')')
# _PRE_(field, variable) - "field=value, " when the variable is defined
define(`_PRE_', `ifdef(`$2', `$1=$2, ')')

# smtp family: name, flag group, flags after mDFMuX, the variables' prefix
define(`_SMTP_LINE_', `M$1,		P=[IPC], F=_CF_MF_(`$2', `mDFMuX$3'_DFLT_(`SMTP_MAILER_FLAGS', `')), S=EnvFromSMTP/HdrFromSMTP, R=ifdef(`_FEATURE_allmasquerade_', `EnvToSMTP/HdrFromSMTP', `EnvToSMTP'), E=\r\n, L=_DFLT_(`SMTP_MAILER_LL', `990')`'_F_(`SMTP_MAILER_MAX', `M')_F_(`SMTP_MAILER_MAXMSGS', `m')_F_(`SMTP_MAILER_MAXRCPTS', `r')_F_(`SMTP_MAILER_CHARSET', `C'),
		T=DNS/RFC822/SMTP`'_F_(`$4_MAILER_QGRP', `Q'),
		A=_DFLT_(`$4_MAILER_ARGS', `TCP $h')
')
define(`_RELAY_FLAGS_', `ifdef(`RELAY_MAILER_FLAGS', `RELAY_MAILER_FLAGS',
	`_DFLT_(`SMTP_MAILER_FLAGS', `')')')
define(`_PROCMAIL_PATH_', `ifdef(`PROCMAIL_MAILER_PATH', `PROCMAIL_MAILER_PATH',
	`_DFLT_(`PROCMAIL_PATH', `/usr/bin/procmail')')')
divert(0)dnl
Mlocal,		P=_DFLT_(`LOCAL_MAILER_PATH', `/bin/mail'), F=_CF_MF_(`LOCAL', _L_BASE_`'_DFLT_(`LOCAL_MAILER_FLAGS', `rmn9')), S=_L_FROM_/HdrFromL, R=EnvToL/HdrToL`'_F_(`LOCAL_MAILER_EOL', `E')_F_(`LOCAL_MAILER_MAX', `M')_F_(`LOCAL_MAILER_MAXMSGS', `m')_F_(`LOCAL_MAILER_MAXRCPTS', `r')_F_(`LOCAL_MAILER_CHARSET', `C'),
		T=DNS/RFC822/_DFLT_(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE', `X-Unix')`'_F_(`LOCAL_MAILER_QGRP', `Q'),
		A=_DFLT_(`LOCAL_MAILER_ARGS', `mail -d $u')
Mprog,		P=_DFLT_(`LOCAL_SHELL_PATH', `/bin/sh'), F=_CF_MF_(`SHELL', `lsDFMoq'_DFLT_(`LOCAL_SHELL_FLAGS', `eu9')), S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=_DFLT_(`LOCAL_SHELL_DIR', `$z:/')`'_F_(`LOCAL_MAILER_MAX', `M'),
		T=X-Unix/X-Unix/X-Unix`'_F_(`LOCAL_PROG_QGRP', `Q'),
		A=_DFLT_(`LOCAL_SHELL_ARGS', `sh -c $u')
ifdef(`_MAILER_smtp_', `dnl
_SMTP_LINE_(`smtp', `SMTP', `', `SMTP')dnl
_SMTP_LINE_(`esmtp', `ESMTP', `a', `ESMTP')dnl
_SMTP_LINE_(`smtp8', `SMTP8', `8', `SMTP8')dnl
_SMTP_LINE_(`dsmtp', `DSMTP', `a%', `DSMTP')dnl
Mrelay,		P=[IPC], F=_CF_MF_(`RELAY', `mDFMuXa8'_RELAY_FLAGS_), S=EnvFromSMTP/HdrFromSMTP, R=ifdef(`_FEATURE_allmasquerade_', `MasqSMTP/MasqRelay', `MasqSMTP'), E=\r\n, L=_DFLT_(`RELAY_MAILER_LL', `2040')`'_F_(`RELAY_MAILER_CHARSET', `C')_F_(`RELAY_MAILER_MAXMSGS', `m')_F_(`SMTP_MAILER_MAXRCPTS', `r'),
		T=DNS/RFC822/SMTP`'_F_(`RELAY_MAILER_QGRP', `Q'),
		A=_DFLT_(`RELAY_MAILER_ARGS', `TCP $h')
')dnl
ifdef(`_MAILER_cyrusv2_', `dnl
Mcyrusv2,	P=[IPC], F=lsDFMnqXz`'_DFLT_(`CYRUSV2_MAILER_FLAGS', `A@/:|m'),
		S=EnvFromSMTP/HdrFromL, R=EnvToL/HdrToL, E=\r\n,
		_PRE_(`m', `CYRUSV2_MAILER_MAXMSGS')_PRE_(`r', `CYRUSV2_MAILER_MAXRCPTS')_PRE_(`C', `CYRUSV2_MAILER_CHARSET')T=DNS/RFC822/SMTP,
		A=_DFLT_(`CYRUSV2_MAILER_ARGS', `FILE /var/run/cyrus/socket/lmtp')
')dnl
ifdef(`_MAILER_procmail_', `dnl
Mprocmail,	P=_PROCMAIL_PATH_, F=_CF_MF_(`PROCMAIL', `DFM'_DFLT_(`PROCMAIL_MAILER_FLAGS', `SPhnu9')), S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP/HdrFromSMTP`'_F_(`PROCMAIL_MAILER_MAX', `M'),
		T=DNS/RFC822/X-Unix`'_F_(`PROCMAIL_MAILER_QGRP', `Q'),
		A=_DFLT_(`PROCMAIL_MAILER_ARGS', `procmail -Y -m $h $f $u')
')dnl
