namespace Did.Dialplan;

/// <summary>Where an IVR key or timeout sends a call. JSON: USER, IVR, QUEUE, HANGUP.</summary>
public enum DestinationType { User, Ivr, Queue, Hangup }

/// <summary>Where a number routes. JSON: USER, IVR, QUEUE, EXTERNAL.</summary>
public enum AssignmentType { User, Ivr, Queue, External }

/// <summary>Asterisk queue strategies. JSON: RINGALL...; lowercase in queues.conf.</summary>
public enum QueueStrategy { Ringall, Leastrecent, Fewestcalls, Random, Rrmemory, Linear }
