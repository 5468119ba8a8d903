divert(-1)
#
# options.m4 - every confXXX variable and the option it writes.
#
# _OPT_(variable, option, default): when the .mc defines the variable,
# proto.m4 writes "O option=value"; when it does not and a default is
# given, "O option=default" (the defaults are those sendmail's own cf.m4
# writes); otherwise a commented "#O option" line.  A variable defined
# as _CF_OMIT_ (FEATURE(nullclient) does that) writes nothing.
#
define(`_CF_OPTIONS_', `dnl
_OPT_(`confSEVEN_BIT_INPUT', `SevenBitInput', `False')dnl
_OPT_(`confEIGHT_BIT_HANDLING', `EightBitMode', `')dnl
_OPT_(`confALIAS_WAIT', `AliasWait', `10')dnl
_OPT_(`ALIAS_FILE', `AliasFile', `MAIL_SETTINGS_DIR`'aliases')dnl
_OPT_(`confMIN_FREE_BLOCKS', `MinFreeBlocks', `100')dnl
_OPT_(`confMAX_MESSAGE_SIZE', `MaxMessageSize', `')dnl
_OPT_(`confBLANK_SUB', `BlankSub', `.')dnl
_OPT_(`confCON_EXPENSIVE', `HoldExpensive', `False')dnl
_OPT_(`confCHECKPOINT_INTERVAL', `CheckpointInterval', `')dnl
_OPT_(`confDELIVERY_MODE', `DeliveryMode', `background')dnl
_OPT_(`confERROR_MODE', `ErrorMode', `')dnl
_OPT_(`confERROR_MESSAGE', `ErrorHeader', `')dnl
_OPT_(`confSAVE_FROM_LINES', `SaveFromLine', `')dnl
_OPT_(`confTEMP_FILE_MODE', `TempFileMode', `0600')dnl
_OPT_(`confMATCH_GECOS', `MatchGECOS', `')dnl
_OPT_(`confMAX_HOP', `MaxHopCount', `')dnl
_OPT_(`HELP_FILE', `HelpFile', `MAIL_SETTINGS_DIR`'helpfile')dnl
_OPT_(`confIGNORE_DOTS', `IgnoreDots', `')dnl
_OPT_(`confBIND_OPTS', `ResolverOptions', `')dnl
_OPT_(`confMIME_FORMAT_ERRORS', `SendMimeErrors', `True')dnl
_OPT_(`confFORWARD_PATH', `ForwardPath', `$z/.forward.$w:$z/.forward')dnl
_OPT_(`confMCI_CACHE_SIZE', `ConnectionCacheSize', `2')dnl
_OPT_(`confMCI_CACHE_TIMEOUT', `ConnectionCacheTimeout', `5m')dnl
_OPT_(`confHOST_STATUS_DIRECTORY', `HostStatusDirectory', `')dnl
_OPT_(`confSINGLE_THREAD_DELIVERY', `SingleThreadDelivery', `')dnl
_OPT_(`confUSE_ERRORS_TO', `UseErrorsTo', `False')dnl
_OPT_(`confLOG_LEVEL', `LogLevel', `9')dnl
_OPT_(`confME_TOO', `MeToo', `')dnl
_OPT_(`confCHECK_ALIASES', `CheckAliases', `False')dnl
_OPT_(`confOLD_STYLE_HEADERS', `OldStyleHeaders', `True')dnl
_OPT_(`confPRIVACY_FLAGS', `PrivacyOptions', `authwarnings')dnl
_OPT_(`confCOPY_ERRORS_TO', `PostmasterCopy', `')dnl
_OPT_(`confQUEUE_FACTOR', `QueueFactor', `')dnl
_OPT_(`QUEUE_DIR', `QueueDirectory', `/var/spool/mqueue')dnl
_OPT_(`MSP_QUEUE_DIR', `ClientQueueDirectory', `')dnl
_OPT_(`confMAIL_SPOOL_DIR', `MailSpoolDirectory', `')dnl
_OPT_(`confDONT_PRUNE_ROUTES', `DontPruneRoutes', `')dnl
_OPT_(`confTO_INITIAL', `Timeout.initial', `')dnl
_OPT_(`confTO_CONNECT', `Timeout.connect', `')dnl
_OPT_(`confTO_ACONNECT', `Timeout.aconnect', `')dnl
_OPT_(`confTO_ICONNECT', `Timeout.iconnect', `')dnl
_OPT_(`confTO_HELO', `Timeout.helo', `')dnl
_OPT_(`confTO_MAIL', `Timeout.mail', `')dnl
_OPT_(`confTO_RCPT', `Timeout.rcpt', `')dnl
_OPT_(`confTO_DATAINIT', `Timeout.datainit', `')dnl
_OPT_(`confTO_DATABLOCK', `Timeout.datablock', `')dnl
_OPT_(`confTO_DATAFINAL', `Timeout.datafinal', `')dnl
_OPT_(`confTO_RSET', `Timeout.rset', `')dnl
_OPT_(`confTO_QUIT', `Timeout.quit', `')dnl
_OPT_(`confTO_MISC', `Timeout.misc', `')dnl
_OPT_(`confTO_COMMAND', `Timeout.command', `')dnl
_OPT_(`confTO_IDENT', `Timeout.ident', `')dnl
_OPT_(`confTO_FILEOPEN', `Timeout.fileopen', `')dnl
_OPT_(`confTO_LHLO', `Timeout.lhlo', `')dnl
_OPT_(`confTO_AUTH', `Timeout.auth', `')dnl
_OPT_(`confTO_STARTTLS', `Timeout.starttls', `')dnl
_OPT_(`confTO_CONTROL', `Timeout.control', `')dnl
_OPT_(`confTO_HOSTSTATUS', `Timeout.hoststatus', `')dnl
_OPT_(`confTO_QUEUERETURN', `Timeout.queuereturn', `5d')dnl
_OPT_(`confTO_QUEUERETURN_NORMAL', `Timeout.queuereturn.normal', `')dnl
_OPT_(`confTO_QUEUERETURN_URGENT', `Timeout.queuereturn.urgent', `')dnl
_OPT_(`confTO_QUEUERETURN_NONURGENT', `Timeout.queuereturn.non-urgent', `')dnl
_OPT_(`confTO_QUEUERETURN_DSN', `Timeout.queuereturn.dsn', `')dnl
_OPT_(`confTO_QUEUEWARN', `Timeout.queuewarn', `4h')dnl
_OPT_(`confTO_QUEUEWARN_NORMAL', `Timeout.queuewarn.normal', `')dnl
_OPT_(`confTO_QUEUEWARN_URGENT', `Timeout.queuewarn.urgent', `')dnl
_OPT_(`confTO_QUEUEWARN_NONURGENT', `Timeout.queuewarn.non-urgent', `')dnl
_OPT_(`confTO_QUEUEWARN_DSN', `Timeout.queuewarn.dsn', `')dnl
_OPT_(`confTO_RESOLVER_RETRANS', `Timeout.resolver.retrans', `')dnl
_OPT_(`confTO_RESOLVER_RETRANS_FIRST', `Timeout.resolver.retrans.first', `')dnl
_OPT_(`confTO_RESOLVER_RETRANS_NORMAL', `Timeout.resolver.retrans.normal', `')dnl
_OPT_(`confTO_RESOLVER_RETRY', `Timeout.resolver.retry', `')dnl
_OPT_(`confTO_RESOLVER_RETRY_FIRST', `Timeout.resolver.retry.first', `')dnl
_OPT_(`confTO_RESOLVER_RETRY_NORMAL', `Timeout.resolver.retry.normal', `')dnl
_OPT_(`confTIME_ZONE', `TimeZoneSpec', `')dnl
_OPT_(`confSAFE_QUEUE', `SuperSafe', `True')dnl
_OPT_(`STATUS_FILE', `StatusFile', `')dnl
_OPT_(`confDEF_USER_ID', `DefaultUser', `')dnl
_OPT_(`confUSERDB_SPEC', `UserDatabaseSpec', `')dnl
_OPT_(`confFALLBACK_MX', `FallbackMXhost', `')dnl
_OPT_(`confFALLBACK_SMARTHOST', `FallbackSmartHost', `')dnl
_OPT_(`confTRY_NULL_MX_LIST', `TryNullMXList', `')dnl
_OPT_(`confQUEUE_LA', `QueueLA', `')dnl
_OPT_(`confREFUSE_LA', `RefuseLA', `')dnl
_OPT_(`confDELAY_LA', `DelayLA', `')dnl
_OPT_(`confMAX_DAEMON_CHILDREN', `MaxDaemonChildren', `')dnl
_OPT_(`confCONNECTION_RATE_THROTTLE', `ConnectionRateThrottle', `')dnl
_OPT_(`confCONNECTION_RATE_WINDOW_SIZE', `ConnectionRateWindowSize', `')dnl
_OPT_(`confWORK_RECIPIENT_FACTOR', `RecipientFactor', `')dnl
_OPT_(`confSEPARATE_PROC', `ForkEachJob', `')dnl
_OPT_(`confWORK_CLASS_FACTOR', `ClassFactor', `')dnl
_OPT_(`confWORK_TIME_FACTOR', `RetryFactor', `')dnl
_OPT_(`confQUEUE_SORT_ORDER', `QueueSortOrder', `')dnl
_OPT_(`confMIN_QUEUE_AGE', `MinQueueAge', `')dnl
_OPT_(`confMAX_QUEUE_AGE', `MaxQueueAge', `')dnl
_OPT_(`confDEF_CHAR_SET', `DefaultCharSet', `')dnl
_OPT_(`confSERVICE_SWITCH_FILE', `ServiceSwitchFile', `')dnl
_OPT_(`confHOSTS_FILE', `HostsFile', `')dnl
_OPT_(`confDIAL_DELAY', `DialDelay', `')dnl
_OPT_(`confNO_RCPT_ACTION', `NoRecipientAction', `')dnl
_OPT_(`confSAFE_FILE_ENV', `SafeFileEnvironment', `')dnl
_OPT_(`confCOLON_OK_IN_ADDR', `ColonOkInAddr', `')dnl
_OPT_(`confMAX_QUEUE_RUN_SIZE', `MaxQueueRunSize', `')dnl
_OPT_(`confMAX_QUEUE_CHILDREN', `MaxQueueChildren', `')dnl
_OPT_(`confMAX_RUNNERS_PER_QUEUE', `MaxRunnersPerQueue', `')dnl
_OPT_(`confDONT_EXPAND_CNAMES', `DontExpandCnames', `')dnl
_OPT_(`confSMTP_LOGIN_MSG', `SmtpGreetingMessage', `$j Sendmail $v/$Z; $b')dnl
_OPT_(`confFROM_LINE', `UnixFromLine', `From $g $d')dnl
_OPT_(`confSINGLE_LINE_FROM_HEADER', `SingleLineFromHeader', `')dnl
_OPT_(`confALLOW_BOGUS_HELO', `AllowBogusHELO', `')dnl
_OPT_(`confMUST_QUOTE_CHARS', `MustQuoteChars', `')dnl
_OPT_(`confOPERATORS', `OperatorChars', `.:%@!^/[]+')dnl
_OPT_(`confDONT_INIT_GROUPS', `DontInitGroups', `')dnl
_OPT_(`confUNSAFE_GROUP_WRITES', `UnsafeGroupWrites', `')dnl
_OPT_(`confDOUBLE_BOUNCE_ADDRESS', `DoubleBounceAddress', `')dnl
_OPT_(`confRUN_AS_USER', `RunAsUser', `')dnl
_OPT_(`confRRT_IMPLIES_DSN', `RrtImpliesDsn', `')dnl
_OPT_(`confPID_FILE', `PidFile', `')dnl
_OPT_(`confPROCESS_TITLE_PREFIX', `ProcessTitlePrefix', `')dnl
_OPT_(`confDONT_BLAME_SENDMAIL', `DontBlameSendmail', `')dnl
_OPT_(`confMAX_RCPTS_PER_MESSAGE', `MaxRecipientsPerMessage', `')dnl
_OPT_(`confDONT_PROBE_INTERFACES', `DontProbeInterfaces', `')dnl
_OPT_(`confDEAD_LETTER_DROP', `DeadLetterDrop', `')dnl
_OPT_(`confMAX_ALIAS_RECURSION', `MaxAliasRecursion', `')dnl
_OPT_(`confCONNECT_ONLY_TO', `ConnectOnlyTo', `')dnl
_OPT_(`confTRUSTED_USER', `TrustedUser', `')dnl
_OPT_(`confMAX_MIME_HEADER_LENGTH', `MaxMimeHeaderLength', `')dnl
_OPT_(`confCONTROL_SOCKET_NAME', `ControlSocketName', `')dnl
_OPT_(`confMAX_HEADERS_LENGTH', `MaxHeadersLength', `')dnl
_OPT_(`confDF_BUFFER_SIZE', `DataFileBufferSize', `')dnl
_OPT_(`confXF_BUFFER_SIZE', `XscriptFileBufferSize', `')dnl
_OPT_(`confLDAP_DEFAULT_SPEC', `LDAPDefaultSpec', `')dnl
_OPT_(`confAUTH_MECHANISMS', `AuthMechanisms', `')dnl
_OPT_(`confAUTH_OPTIONS', `AuthOptions', `')dnl
_OPT_(`confAUTH_REALM', `AuthRealm', `')dnl
_OPT_(`confAUTH_MAX_BITS', `AuthMaxBits', `')dnl
_OPT_(`confDEF_AUTH_INFO', `DefaultAuthInfo', `')dnl
_OPT_(`confCACERT_PATH', `CACertPath', `')dnl
_OPT_(`confCACERT', `CACertFile', `')dnl
_OPT_(`confSERVER_CERT', `ServerCertFile', `')dnl
_OPT_(`confSERVER_KEY', `ServerKeyFile', `')dnl
_OPT_(`confCLIENT_CERT', `ClientCertFile', `')dnl
_OPT_(`confCLIENT_KEY', `ClientKeyFile', `')dnl
_OPT_(`confCRL', `CRLFile', `')dnl
_OPT_(`confCRL_PATH', `CRLPath', `')dnl
_OPT_(`confDH_PARAMETERS', `DHParameters', `')dnl
_OPT_(`confRAND_FILE', `RandFile', `')dnl
_OPT_(`confCIPHER_LIST', `CipherList', `')dnl
_OPT_(`confSERVER_SSL_OPTIONS', `ServerSSLOptions', `')dnl
_OPT_(`confCLIENT_SSL_OPTIONS', `ClientSSLOptions', `')dnl
_OPT_(`confTLS_SRV_OPTIONS', `TLSSrvOptions', `')dnl
_OPT_(`confTLS_FALLBACK_TO_CLEAR', `TLSFallbacktoClear', `')dnl
_OPT_(`confSSL_ENGINE', `SSLEngine', `')dnl
_OPT_(`confSSL_ENGINE_PATH', `SSLEnginePath', `')dnl
_OPT_(`confCERT_FINGERPRINT_ALGORITHM', `CertFingerprintAlgorithm', `')dnl
_OPT_(`confALLOW_CLEARTEXT_AUTH', `AllowCleartextAuth', `')dnl
_OPT_(`confSASL_CONFIG_PATH', `SASLConfigPath', `')dnl
_OPT_(`confINPUT_MAIL_FILTERS', `InputMailFilters', `')dnl
_OPT_(`confMILTER_LOG_LEVEL', `Milter.LogLevel', `')dnl
_OPT_(`confMILTER_MACROS_CONNECT', `Milter.macros.connect', `')dnl
_OPT_(`confMILTER_MACROS_HELO', `Milter.macros.helo', `')dnl
_OPT_(`confMILTER_MACROS_ENVFROM', `Milter.macros.envfrom', `')dnl
_OPT_(`confMILTER_MACROS_ENVRCPT', `Milter.macros.envrcpt', `')dnl
_OPT_(`confMILTER_MACROS_DATA', `Milter.macros.data', `')dnl
_OPT_(`confMILTER_MACROS_EOM', `Milter.macros.eom', `')dnl
_OPT_(`confMILTER_MACROS_EOH', `Milter.macros.eoh', `')dnl
_OPT_(`confQUEUE_FILE_MODE', `QueueFileMode', `')dnl
_OPT_(`confDELIVER_BY_MIN', `DeliverByMin', `')dnl
_OPT_(`confREQUIRES_DIR_FSYNC', `RequiresDirfsync', `')dnl
_OPT_(`confSHARED_MEMORY_KEY', `SharedMemoryKey', `')dnl
_OPT_(`confSHARED_MEMORY_KEY_FILE', `SharedMemoryKeyFile', `')dnl
_OPT_(`confFAST_SPLIT', `FastSplit', `')dnl
_OPT_(`confMAILBOX_DATABASE', `MailboxDatabase', `')dnl
_OPT_(`confDIRECT_SUBMISSION_MODIFIERS', `DirectSubmissionModifiers', `')dnl
_OPT_(`confUSE_MSP', `UseMSP', `')dnl
_OPT_(`confNICE_QUEUE_RUN', `NiceQueueRun', `')dnl
_OPT_(`confSOFT_BOUNCE', `SoftBounce', `')dnl
_OPT_(`confREJECT_LOG_INTERVAL', `RejectLogInterval', `')dnl
_OPT_(`confMAX_NOOP_COMMANDS', `MaxNOOPCommands', `')dnl
_OPT_(`confHELO_NAME', `HeloName', `')dnl
_OPT_(`confBAD_RCPT_THROTTLE', `BadRcptThrottle', `')dnl
_OPT_(`confUSE_COMPRESSED_IPV6_ADDRESSES', `UseCompressedIPv6Addresses', `')dnl
_OPT_(`confREJECT_NUL', `RejectNUL', `')dnl
')

# conf variables that set macros, classes or paths rather than options
define(`_CF_OTHER_CONF_', `dnl
_KNOWN_(`confDOMAIN_NAME')_KNOWN_(`confCW_FILE')_KNOWN_(`confCT_FILE')dnl
_KNOWN_(`confMAILER_NAME')_KNOWN_(`confEBINDIR')_KNOWN_(`confCF_VERSION')dnl
_KNOWN_(`confRELAY_MAILER')_KNOWN_(`confMAPDEF')_KNOWN_(`confUUCP_MAILER')dnl
_KNOWN_(`confLOCAL_MAILER')_KNOWN_(`confSMTP_MAILER')_KNOWN_(`confPROGMAILER')dnl
')

define(`_KNOWN_', `define(`_CF_KNOWN_$1', `1')')
define(`_OPT_', `_KNOWN_(`$1')')
_CF_OPTIONS_
_CF_OTHER_CONF_
