divert(-1)
#
# DOMAIN(`debian-mta') - the settings Debian's sendmail.mc takes from
# its own domain file, so that the .mc of a Debian machine gives the
# same options with this tree: Debian's paths under /var/lib/sendmail
# and /run/sendmail/mta, shorter SMTP timeouts than sendmail's
# defaults, queue files readable by the group, smmta as TrustedUser,
# and the DontBlameSendmail words Debian adds for its group-writable
# homes and its sticky directories.
#
define(`_CF_LOADED_', `1')dnl
define(`STATUS_FILE', `/var/lib/sendmail/sendmail.st')
define(`confHOST_STATUS_DIRECTORY', `/var/lib/sendmail/host_status')
define(`confPID_FILE', `/var/run/sendmail/mta/sendmail.pid')
define(`confCONTROL_SOCKET_NAME', `/var/run/sendmail/mta/smcontrol')
define(`confPROCESS_TITLE_PREFIX', `MTA')
define(`confMAX_DAEMON_CHILDREN', `0')
define(`confRRT_IMPLIES_DSN', `False')
define(`confSAFE_FILE_ENV', `/')
define(`confSAFE_QUEUE', `True')
define(`confQUEUE_FILE_MODE', `0640')
define(`confTEMP_FILE_MODE', `0640')
define(`confTO_ICONNECT', `2m')
define(`confTO_MAIL', `2m')
define(`confTO_DATAINIT', `2m')
define(`confTO_RSET', `1m')
define(`confTO_QUIT', `2m')
define(`confTO_COMMAND', `5m')
define(`confTO_IDENT', `5s')
define(`confMAX_HOP', `100')
define(`confPRIVACY_FLAGS', `restrictqrun,restrictexpand')
ifdef(`confTRUSTED_USER', `', `define(`confTRUSTED_USER', `smmta')')
define(`confMAX_RUNNERS_PER_QUEUE', `5')
define(`confDONT_BLAME_SENDMAIL', ifdef(`confDONT_BLAME_SENDMAIL',
`defn(`confDONT_BLAME_SENDMAIL')')`,AssumeSafeChown,ForwardFileInGroupWritableDirPath,GroupWritableForwardFileSafe,GroupWritableIncludeFileSafe,IncludeFileInGroupWritableDirPath,DontWarnForwardFileInUnsafeDirPath,TrustStickyBit,NonRootSafeAddr,GroupWritableIncludeFile,GroupReadableDefaultAuthInfoFile')
