using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Did.Infrastructure.Ami;

/// <summary>An authenticated AMI session and the operations the Apply feature uses. Open one with
/// <see cref="ConnectAsync"/> (or through <see cref="AmiSessionFactory"/>, which retries); actions may be sent
/// concurrently, each gets its own ActionID. Every wait is bounded by <see cref="AmiOptions"/> timeouts.</summary>
public sealed class AmiClient(AmiOptions options, ILogger<AmiClient>? logger = null, AmiFramingLimits? limits = null)
    : IAsyncDisposable
{
    private readonly ILogger _log = logger ?? NullLogger<AmiClient>.Instance;
    private AmiConnection? _connection;

    /// <summary>The banner line, e.g. <c>Asterisk Call Manager/13.0.0</c>.</summary>
    public string? Banner => _connection?.Banner;

    /// <summary>Connects (within <see cref="AmiOptions.ConnectTimeout"/>), reads the banner and logs in.</summary>
    /// <exception cref="AmiAuthenticationException">Wrong username or secret.</exception>
    /// <exception cref="AmiConnectionException">No connection, or it broke.</exception>
    public async Task ConnectAsync(CancellationToken ct = default)
    {
        if (_connection is not null) throw new InvalidOperationException("This AmiClient is already connected.");
        options.Validate();
        _connection = await AmiConnection.OpenAsync(options.Host, options.Port, options.ConnectTimeout,
            limits ?? AmiFramingLimits.Default, _log, ct);
        try
        {
            await LoginAsync(_connection, ct);
        }
        catch
        {
            await _connection.DisposeAsync();
            throw;
        }
        _log.LogInformation("AMI session open to {Host}:{Port} as {Username} ({Banner})",
            options.Host, options.Port, options.Username, _connection.Banner);
    }

    private async Task LoginAsync(AmiConnection connection, CancellationToken ct)
    {
        var login = new AmiAction("Login");
        if (options.UsesMd5)
        {
            var challenge = (await connection.SendAsync(new AmiAction("Challenge").With("AuthType", "MD5"), null,
                options.ResponseTimeout, ct)).Response;
            if (!challenge.IsSuccess || string.IsNullOrEmpty(challenge["Challenge"]))
                throw new AmiAuthenticationException($"AMI MD5 challenge refused: {challenge.Message ?? "(no message)"}");
            login.With("AuthType", "MD5").With("Username", options.Username)
                .With("Key", Md5Key(challenge["Challenge"]!, options.Secret));
        }
        else
        {
            login.With("Username", options.Username).With("Secret", options.Secret);
        }
        if (!string.IsNullOrEmpty(options.EventMask)) login.With("Events", options.EventMask);
        AmiMessage response;
        try
        {
            response = (await connection.SendAsync(login, null, options.ResponseTimeout, ct)).Response;
        }
        catch (AmiConnectionException e)
        {
            throw new AmiConnectionException($"AMI connection lost during Login as {options.Username}.", e);
        }
        if (!response.IsSuccess)
        {
            _log.LogWarning("AMI login as {Username} refused: {Message}", options.Username, response.Message);
            throw new AmiAuthenticationException($"Authentication failed for AMI user '{options.Username}': {response.Message ?? "(no message)"}");
        }
    }

    /// <summary>Lowercase hex md5(challenge + secret), the <c>Key</c> of an MD5 Login.</summary>
    internal static string Md5Key(string challenge, string secret) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(challenge + secret)));

    /// <summary>Sends an action and returns its response.</summary>
    /// <exception cref="AmiActionFailedException">Asterisk answered <c>Response: Error</c>.</exception>
    public async Task<AmiMessage> SendActionAsync(AmiAction action, CancellationToken ct = default, TimeSpan? timeout = null)
    {
        var response = (await Connection.SendAsync(action, null, timeout ?? options.ResponseTimeout, ct)).Response;
        if (response.IsError) throw new AmiActionFailedException(action.Name, response.Message ?? "(no message)");
        return response;
    }

    /// <summary>Reloads a module (<c>pbx_config</c> for the dialplan) and waits, up to
    /// <see cref="AmiOptions.ReloadTimeout"/>, until Asterisk reports it done: <c>Event: Reload</c> with
    /// <c>Status: 0</c>. A <c>Status: 1</c> (queued while booting) keeps waiting for a later event.</summary>
    /// <exception cref="AmiTimeoutException">No answer, or no final Reload event, in time.</exception>
    public async Task<AmiReloadResult> ReloadModuleAsync(string module, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.ReloadTimeout);
        using var events = Connection.Subscribe(e =>
            string.Equals(e.EventName, "Reload", StringComparison.OrdinalIgnoreCase)
            && string.Equals(e["Module"], module, StringComparison.OrdinalIgnoreCase));
        var response = (await Connection.SendAsync(new AmiAction("Reload").With("Module", module), null,
            options.ReloadTimeout, ct)).Response;
        var message = response.Message ?? "";
        if (!response.IsSuccess)
        {
            var status = await ErrorStatusAsync(events, ct);
            _log.LogWarning("AMI reload of {Module} failed: {Message} (status {Status})", module, message, status);
            return new(false, module, status, message.Length > 0 ? message : "Reload failed", false);
        }
        var queued = false;
        try
        {
            while (true)
            {
                var e = await events.ReadAsync(deadline.Token);
                var status = ParseStatus(e);
                if (status == AmiReloadStatus.Queued)
                {
                    queued = true;
                    _log.LogInformation("AMI reload of {Module} queued: Asterisk is still booting", module);
                    continue;
                }
                var success = status == AmiReloadStatus.Done;
                if (!success) _log.LogWarning("AMI reload of {Module} reported status {Status}", module, status);
                return new(success, module, status, success ? message : $"Reload event reported status {(int?)status} ({status})", queued);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AmiTimeoutException(queued
                ? $"Reload of {module} was queued but not reported done within {options.ReloadTimeout.TotalSeconds:0.###} s."
                : $"No Reload event for {module} within {options.ReloadTimeout.TotalSeconds:0.###} s.");
        }
    }

    /// <summary>After an error response Asterisk still sends a Reload event (Status 3); take its status if it comes
    /// promptly, else report none.</summary>
    private async Task<AmiReloadStatus?> ErrorStatusAsync(AmiEventSubscription events, CancellationToken ct)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(ct);
        grace.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            return ParseStatus(await events.ReadAsync(grace.Token));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (AmiConnectionException)
        {
            return null;
        }
    }

    private static AmiReloadStatus? ParseStatus(AmiMessage e) =>
        int.TryParse(e["Status"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s)
            ? (AmiReloadStatus)s
            : throw new AmiProtocolException($"Reload event without a numeric Status: '{e["Status"]}'.");

    /// <summary>Lists what Asterisk has installed in <paramref name="context"/>; with <paramref name="extension"/>, only the
    /// extensions matching that number (patterns included). The answer is bounded by <paramref name="limits"/> (default
    /// <see cref="AmiListLimits.Default"/>) and, as a whole, by the response timeout.</summary>
    /// <exception cref="AmiProtocolException">The answer went past its limits (the connection is then closed).</exception>
    public async Task<AmiDialplan> ShowDialPlanAsync(string context, string? extension = null, AmiListLimits? limits = null, CancellationToken ct = default)
    {
        var action = new AmiAction("ShowDialPlan").With("Context", context);
        if (extension is not null) action.With("Extension", extension);
        var list = await Connection.SendAsync(action, limits ?? AmiListLimits.Default, options.ResponseTimeout, ct);
        if (!list.Response.IsSuccess)
        {
            var message = list.Response.Message ?? "";
            if (message.StartsWith("Did not find context", StringComparison.OrdinalIgnoreCase))
                return new(context, extension, AmiDialplanLookup.ContextNotFound, message, [], []);
            if (message.StartsWith("Did not find extension", StringComparison.OrdinalIgnoreCase))
                return new(context, extension, AmiDialplanLookup.ExtensionNotFound, message, [], []);
            throw new AmiActionFailedException("ShowDialPlan", message);
        }
        var entries = new List<AmiDialplanEntry>(list.Events.Count);
        var includes = new List<AmiDialplanInclude>();
        var items = 0;
        foreach (var e in list.Events)
        {
            if (!string.Equals(e.EventName, "ListDialplan", StringComparison.OrdinalIgnoreCase)) continue;
            items++;
            if (e["IncludeContext"] is { } included)
                includes.Add(new(e["Context"] ?? context, included, e["Registrar"] ?? ""));
            else if (e["Extension"] is { } exten)
                entries.Add(new(e["Context"] ?? context, exten, e["Priority"] ?? "", e["Application"] ?? "",
                    e["AppData"] ?? "", e["Registrar"] ?? ""));
        }
        if (list.Complete?["ListItems"] is { } listed && listed != items.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new AmiProtocolException($"ShowDialPlan for {context} announced {listed} items but sent {items}.");
        return new(context, extension, AmiDialplanLookup.Found, list.Response.Message, entries, includes);
    }

    /// <summary>Changes the running dialplan without a reload: every change pipelined on this session, in the given order
    /// (Asterisk carries them out in that order), answered within the response timeout as a whole. Such changes live
    /// only in memory: the next reload of pbx_config rebuilds the dialplan from the files, so the files must hold the
    /// same content first. Returns how many were made.</summary>
    /// <exception cref="AmiPermissionDeniedException">Every change was refused for lack of privilege: none was made.</exception>
    /// <exception cref="AmiActionFailedException">Asterisk refused at least one change (the first is named; the others
    /// were still carried out: the caller must restore a known state, e.g. by a reload from files).</exception>
    public async Task<int> ChangeDialplanAsync(IReadOnlyList<AmiDialplanChange> changes, CancellationToken ct = default)
    {
        var actions = new AmiAction[changes.Count];
        for (var i = 0; i < changes.Count; i++) actions[i] = changes[i].ToAction();
        var responses = await Connection.SendPipelinedAsync(actions, options.ResponseTimeout, ct);
        var refused = 0;
        string? first = null;
        for (var i = 0; i < responses.Count; i++)
        {
            if (responses[i].IsSuccess) continue;
            refused++;
            first ??= $"{changes[i]}: {responses[i].Message ?? "(no message)"}";
        }
        if (refused > 0 && refused == responses.Count && responses.All(r => string.Equals(r.Message, "Permission denied", StringComparison.OrdinalIgnoreCase)))
            throw new AmiPermissionDeniedException(actions[0].Name);
        if (first is not null)
            throw new AmiActionFailedException(actions[0].Name, $"{refused} of {changes.Count} dialplan changes refused; first: {first}");
        return changes.Count;
    }

    /// <summary><c>Action: QueueReload</c> (queues, members, rules).</summary>
    public Task QueueReloadAsync(CancellationToken ct = default) => SendActionAsync(new AmiAction("QueueReload"), ct);

    /// <summary>Says goodbye; the server then closes the connection, which is not an error.</summary>
    public async Task LogoffAsync(CancellationToken ct = default)
    {
        var connection = Connection;
        connection.ExpectClose();
        try
        {
            var response = (await connection.SendAsync(new AmiAction("Logoff"), null, options.ResponseTimeout, ct)).Response;
            if (!string.Equals(response.Response, "Goodbye", StringComparison.OrdinalIgnoreCase))
                throw new AmiActionFailedException("Logoff", response.Message ?? "(no message)");
        }
        catch (AmiConnectionException)
        {
            // The server closed before its Goodbye was read: the session is over either way.
        }
        await connection.DisposeAsync();
    }

    /// <summary>The session's connection (internal: the tests drive actions Apply does not use through it).</summary>
    internal AmiConnection Connection => _connection ?? throw new InvalidOperationException("Call ConnectAsync first.");

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
