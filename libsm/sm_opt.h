/*
 * sm_opt - the option table: every sendmail option, its type and default.
 *
 * SYNOPSIS
 *	struct sm_options opt;
 *	sm_opt_init(&opt)			binary defaults
 *	sm_opt_set(&opt, "Timeout.command", "25m", SM_OPT_SRC_FILE, err,
 *	    sizeof(err))
 *	sm_opt_set_letter(&opt, 'd', "q", ...)	one-letter form (Odq, -odq)
 *	sm_opt_print(&opt, stdout)		every option, "O Name=value"
 *	sm_opt_report_pending(&opt)		one line naming options that are
 *						set but not yet in force (and
 *						one for DontBlameSendmail words)
 *	SM_DBS(&opt, SM_DBS_TRUSTSTICKYBIT)	a DontBlameSendmail word
 *	sm_opt_free(&opt)
 *
 * DESCRIPTION
 *	One table row per option is the single source of truth: the name as
 *	sendmail spells it, its one-letter name, its type, its default (the
 *	binary default of sendmail 8.17, spec/m4.md 5 and spec/timeouts.md
 *	3), the allowed range, and whether this program acts on it yet.
 *	Values live in struct sm_options under the option's own spelling:
 *	Timeout.datablock is opt.to.datablock, MaxMessageSize is
 *	opt.MaxMessageSize.
 *
 *	Names are case-insensitive.  A unique prefix of a name is accepted
 *	with a warning, as sendmail does.  Timeout suboptions follow
 *	spec/timeouts.md: durations with each one's default unit; the group
 *	names Timeout.queuereturn, Timeout.queuewarn (also spelled .*),
 *	Timeout.resolver.retrans and Timeout.resolver.retry set every member
 *	of their group; the legacy Timeout (letter r) takes a comma list
 *	whose bare durations set the six starred read timeouts, and
 *	QueueTimeout (letter T) takes RETURN[/WARN].
 *
 *	Options given more than once take the last value, except the list
 *	options (DaemonPortOptions, ClientPortOptions): each line adds an
 *	entry, and the first line from a new source (the command line after
 *	the file) replaces what the earlier source gave.  An empty value
 *	empties the list.  Apply the file first and the command line after
 *	it: command-line values win.
 *
 *	An unknown name, an ambiguous prefix or a bad value makes
 *	sm_opt_set() return -1 with the reason in err; nothing is changed.
 */
#ifndef SM_OPT_H
#define SM_OPT_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sm_strlist.h"

enum sm_opt_src {
	SM_OPT_SRC_DEFAULT,
	SM_OPT_SRC_FILE,
	SM_OPT_SRC_CMDLINE
};

/* Message classes for queuereturn/queuewarn (spec/timeouts.md 4.5). */
enum {
	SM_CLASS_NORMAL,
	SM_CLASS_URGENT,
	SM_CLASS_NONURGENT,
	SM_CLASS_DSN,
	SM_CLASS_N
};

/* Resolver settings: .normal and .first (the first delivery attempt). */
enum {
	SM_RES_NORMAL,
	SM_RES_FIRST,
	SM_RES_N
};

/*
 * DontBlameSendmail words, as bit numbers of sm_options.DontBlameSendmail
 * (SM_DBS(o, w) tests one).  sendmail's whole list is accepted; those
 * that concern .forward files are in force (SM_DBS_INFORCE in sm_opt.c).
 */
enum sm_dbs {
	SM_DBS_ASSUMESAFECHOWN,
	SM_DBS_CLASSFILEINUNSAFEDIRPATH,
	SM_DBS_DONTWARNFORWARDFILEINUNSAFEDIRPATH,
	SM_DBS_ERRORHEADERINUNSAFEDIRPATH,
	SM_DBS_FILEDELIVERYTOHARDLINK,
	SM_DBS_FILEDELIVERYTOSYMLINK,
	SM_DBS_FORWARDFILEINGROUPWRITABLEDIRPATH,
	SM_DBS_FORWARDFILEINUNSAFEDIRPATH,
	SM_DBS_FORWARDFILEINUNSAFEDIRPATHSAFE,
	SM_DBS_GROUPREADABLEDEFAULTAUTHINFOFILE,
	SM_DBS_GROUPREADABLEKEYFILE,
	SM_DBS_GROUPREADABLESASLDBFILE,
	SM_DBS_GROUPWRITABLEALIASFILE,
	SM_DBS_GROUPWRITABLEDIRPATHSAFE,
	SM_DBS_GROUPWRITABLEFORWARDFILE,
	SM_DBS_GROUPWRITABLEFORWARDFILESAFE,
	SM_DBS_GROUPWRITABLEINCLUDEFILE,
	SM_DBS_GROUPWRITABLEINCLUDEFILESAFE,
	SM_DBS_GROUPWRITABLESASLDBFILE,
	SM_DBS_HELPFILEINUNSAFEDIRPATH,
	SM_DBS_INCLUDEFILEINGROUPWRITABLEDIRPATH,
	SM_DBS_INCLUDEFILEINUNSAFEDIRPATH,
	SM_DBS_INCLUDEFILEINUNSAFEDIRPATHSAFE,
	SM_DBS_INSUFFICIENTENTROPY,
	SM_DBS_LINKEDALIASFILEINWRITABLEDIR,
	SM_DBS_LINKEDCLASSFILEINWRITABLEDIR,
	SM_DBS_LINKEDFORWARDFILEINWRITABLEDIR,
	SM_DBS_LINKEDINCLUDEFILEINWRITABLEDIR,
	SM_DBS_LINKEDMAPINWRITABLEDIR,
	SM_DBS_LINKEDSERVICESWITCHFILEINWRITABLEDIR,
	SM_DBS_MAPINUNSAFEDIRPATH,
	SM_DBS_NONROOTSAFEADDR,
	SM_DBS_RUNPROGRAMINUNSAFEDIRPATH,
	SM_DBS_RUNWRITABLEPROGRAM,
	SM_DBS_TRUSTSTICKYBIT,
	SM_DBS_WORLDWRITABLEALIASFILE,
	SM_DBS_WORLDWRITABLEFORWARDFILE,
	SM_DBS_WORLDWRITABLEINCLUDEFILE,
	SM_DBS_WRITEMAPTOHARDLINK,
	SM_DBS_WRITEMAPTOSYMLINK,
	SM_DBS_WRITESTATSTOHARDLINK,
	SM_DBS_WRITESTATSTOSYMLINK,
	SM_DBS_N
};

#define SM_DBS(o, w)	(((o)->DontBlameSendmail >> (w)) & 1u)

/* PrivacyOptions bits (spec/smtp-server.md 8). */
#define SM_PRIV_NEEDMAILHELO		0x0001
#define SM_PRIV_NEEDEXPNHELO		0x0002
#define SM_PRIV_NEEDVRFYHELO		0x0004
#define SM_PRIV_NOEXPN			0x0008
#define SM_PRIV_NOVRFY			0x0010
#define SM_PRIV_AUTHWARNINGS		0x0020
#define SM_PRIV_NOVERB			0x0040
#define SM_PRIV_RESTRICTMAILQ		0x0080
#define SM_PRIV_RESTRICTQRUN		0x0100
#define SM_PRIV_NORECEIPTS		0x0200
#define SM_PRIV_NOETRN			0x0400
#define SM_PRIV_NOBODYRETURN		0x0800
#define SM_PRIV_RESTRICTEXPAND		0x1000
#define SM_PRIV_NOACTUALRECIPIENT	0x2000
#define SM_PRIV_NOREFLECTION		0x4000

struct sm_timeouts {
	long	initial, connect, aconnect, iconnect, helo, mail, rcpt;
	long	datainit, datablock, datafinal, rset, quit, misc, command;
	long	ident, fileopen, lhlo, auth, starttls, control, hoststatus;
	long	queuereturn[SM_CLASS_N];
	long	queuewarn[SM_CLASS_N];
	long	resolver_retrans[SM_RES_N];	/* seconds */
	long	resolver_retry[SM_RES_N];	/* a count, not a duration */
};

struct sm_options {
	struct sm_timeouts to;
	/* Letters as in sendmail's option table; c = a character code. */
	char	*AliasFile;
	long	 AliasWait;
	bool	 AllowBogusHELO;
	bool	 AllowCleartextAuth;
	long	 AuthMaxBits;
	char	*AuthMechanisms;
	char	*AuthOptions;
	char	*AuthRealm;
	bool	 AutoRebuildAliases;
	long	 BadRcptThrottle;
	char	 BlankSub;
	char	*CACertFile;
	char	*CACertPath;
	char	*CertFingerprintAlgorithm;
	bool	 CheckAliases;
	long	 CheckpointInterval;
	char	*CipherList;
	long	 ClassFactor;
	char	*ClientCertFile;
	char	*ClientKeyFile;
	char	*ClientQueueDirectory;
	struct sm_strlist ClientPortOptions;
	char	*ClientSSLOptions;
	bool	 ColonOkInAddr;
	long	 ConnectionCacheSize;
	long	 ConnectionCacheTimeout;
	long	 ConnectionRateThrottle;
	long	 ConnectionRateWindowSize;
	char	*ConnectOnlyTo;
	char	*ControlSocketName;
	char	*CRLFile;
	char	*CRLPath;
	struct sm_strlist DaemonPortOptions;
	long	 DataFileBufferSize;
	char	*DeadLetterDrop;
	char	*DefaultAuthInfo;
	char	*DefaultCharSet;
	char	*DefaultUser;
	long	 DelayLA;
	long	 DeliverByMin;
	long	 DeliveryAgents;
	char	 DeliveryMode;
	char	*DHParameters;
	long	 DialDelay;
	char	*DirectSubmissionModifiers;
	uint64_t DontBlameSendmail;	/* bits: enum sm_dbs */
	bool	 DontExpandCnames;
	bool	 DontInitGroups;
	char	 DontProbeInterfaces;
	bool	 DontPruneRoutes;
	char	*DoubleBounceAddress;
	char	 EightBitMode;
	char	*ErrorHeader;
	char	 ErrorMode;
	char	*FallbackMXhost;
	char	*FallbackSmartHost;
	long	 FastSplit;
	bool	 ForkEachJob;
	char	*ForwardPath;
	char	*HeloName;
	char	*HelpFile;
	bool	 HoldExpensive;
	char	*HostsFile;
	char	*HostStatusDirectory;
	bool	 IgnoreDots;
	long	 ListenQueueSize;
	char	*InputMailFilters;
	char	*LDAPDefaultSpec;
	long	 LogLevel;
	char	*MailboxDatabase;
	bool	 MatchGECOS;
	char	*MailSpoolDirectory;
	long	 MaxAliasRecursion;
	long	 MaxClientShare;	/* ours: percent */
	long	 MaxDaemonChildren;
	long	 MaxHeadersLength;
	long	 MaxHopCount;
	long	 MaxMessageSize;
	char	*MaxMimeHeaderLength;
	long	 MaxNOOPCommands;
	long	 MaxQueueAge;
	long	 MaxQueueChildren;
	long	 MaxQueueRunSize;
	long	 MaxRecipientsPerMessage;
	long	 MaxRunnersPerQueue;
	long	 MaxSessionTime;
	bool	 MeToo;
	char	*MilterLogLevel;
	char	*MilterMacros[7];
	long	 MinFreeBlocks;
	long	 MinQueueAge;
	char	*MustQuoteChars;
	long	 NiceQueueRun;
	char	*NoRecipientAction;
	bool	 OldStyleHeaders;
	char	*OperatorChars;
	char	*PidFile;
	char	*PostmasterCopy;
	unsigned PrivacyOptions;
	char	*ProcessTitlePrefix;
	char	*QueueDirectory;
	long	 QueueFactor;
	long	 QueueFileMode;
	long	 QueueLA;
	char	 QueueSortOrder;
	char	*RandFile;
	long	 RecipientFactor;
	long	 RefuseLA;
	long	 RejectLogInterval;
	bool	 RejectNUL;
	bool	 RequiresDirfsync;
	char	*ResolverOptions;
	long	 RetryFactor;
	bool	 RrtImpliesDsn;
	char	*RunAsUser;
	char	*SafeFileEnvironment;
	char	*SASLConfigPath;
	bool	 SaveFromLine;
	bool	 SendMimeErrors;
	char	*ServerCertFile;
	char	*ServerKeyFile;
	char	*ServerSSLOptions;
	char	*ServiceSwitchFile;
	bool	 SevenBitInput;
	long	 SharedMemoryKey;
	char	*SharedMemoryKeyFile;
	bool	 SingleLineFromHeader;
	bool	 SingleThreadDelivery;
	char	*SmtpGreetingMessage;
	bool	 SoftBounce;
	char	*SSLEngine;
	char	*SSLEnginePath;
	char	*StatusFile;
	char	 SuperSafe;
	long	 TempFileMode;
	char	*TimeZoneSpec;
	bool	 TLSFallbacktoClear;
	char	*TLSSrvOptions;
	char	*TrustedUser;
	bool	 TryNullMXList;
	char	*UnixFromLine;
	bool	 UnsafeGroupWrites;
	bool	 UseCompressedIPv6Addresses;
	bool	 UseErrorsTo;
	bool	 UseMSP;
	char	*UserDatabaseSpec;
	bool	 Verbose;
	long	 XscriptFileBufferSize;

	/* Bookkeeping, one entry per table row; see sm_opt.c. */
	unsigned char	*src;
	unsigned char	*reported;
};

void	 sm_opt_init(struct sm_options *);
void	 sm_opt_free(struct sm_options *);
int	 sm_opt_set(struct sm_options *, const char *, const char *,
	    enum sm_opt_src, char *, size_t);
int	 sm_opt_set_line(struct sm_options *, const char *, enum sm_opt_src,
	    char *, size_t);
int	 sm_opt_set_letter(struct sm_options *, int, const char *,
	    enum sm_opt_src, char *, size_t);
void	 sm_opt_print(const struct sm_options *, FILE *);
size_t	 sm_opt_report_pending(struct sm_options *);
size_t	 sm_opt_count(void);
const char *sm_opt_name(size_t);
const char *sm_opt_privacy_word(unsigned);
const char *sm_opt_dbs_word(unsigned);

#endif /* SM_OPT_H */
