using System.Net;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Did.Features.Apply;
using Did.Tests.Fakes;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>Apply by reload: every change is deployed by a reload here, so each fault of the reload and of what it
/// installs meets the verification that follows a reload. <see cref="LiveDeltaTests"/> covers the live delta.</summary>
public sealed class ApplyTests : ApplyFixtureBase
{
    protected override int? LiveDeltaMaxChanges => 0;

    [Test]
    public async Task Apply_writes_reloads_and_verifies_what_asterisk_runs()
    {
        var number = await RouteAnotherNumberAsync();
        var job = await ApplyOkAsync();
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
        var steps = job.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
        Assert.That(steps, Does.ContainKey("snapshot").And.ContainKey("render").And.ContainKey("lint").And.ContainKey("backup:asterisk").And.ContainKey("write:asterisk"));
        Assert.That(steps["reload:asterisk"], Is.EqualTo("OK"));
        Assert.That(steps["verify:asterisk"], Is.EqualTo("OK"));
        Assert.That(job.GetProperty("content_sha256").GetString(), Has.Length.EqualTo(64));
        Assert.That(job.GetProperty("numbers_routed").GetInt32(), Is.GreaterThanOrEqualTo(2));
        var live = File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf"));
        Assert.That(live, Does.Contain($"exten => {number.Number},1,Goto(tenant-acme,1001,1)"));
        var installed = Nodes[0].Dialplan.Contexts.Values.SelectMany(c => c.Extensions).Single(e => e.Name == number.Number);
        Assert.That(installed.Priorities, Is.EqualTo(new[] { new FakePriority(1, "Goto", "tenant-acme,1001,1") }), "the switch runs the new route");
        var stored = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{job.GetProperty("id").GetGuid()}"), HttpStatusCode.OK);
        Assert.That(Status(stored), Is.EqualTo("SUCCEEDED"));
    }

    [Test]
    public async Task Unchanged_database_is_no_changes_and_no_reload()
    {
        await ApplyOkAsync();
        var reloads = Nodes[0].CountActions("Reload");
        var job = await ApplyOkAsync();
        Assert.That(Status(job), Is.EqualTo("NO_CHANGES"));
        Assert.That(Nodes[0].CountActions("Reload"), Is.EqualTo(reloads));
    }

    [Test]
    public async Task The_same_data_again_is_not_rendered_when_every_node_has_its_files()
    {
        var first = await ApplyOkAsync();
        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("NO_CHANGES"));
        var steps = JobSteps(job);
        Assert.That(steps["render"].Status, Is.EqualTo("SKIPPED"), job.ToString());
        Assert.That(steps["render"].Output, Does.Contain("same data as this process's last render"));
        Assert.That(steps["diff:asterisk"].Status, Is.EqualTo("OK"), "the node's files were compared");
        Assert.That(job.GetProperty("content_sha256").GetString(), Is.EqualTo(first.GetProperty("content_sha256").GetString()));
    }

    [Test]
    public async Task A_node_file_edited_by_hand_is_rendered_and_deployed_again_though_the_data_did_not_change()
    {
        await ApplyOkAsync();
        var path = Path.Combine(ConfigDirs[0], "extensions_custom.conf");
        var deployed = File.ReadAllText(path);
        File.WriteAllText(path, deployed + "; an edit by hand\n");

        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(JobSteps(job)["render"].Status, Is.EqualTo("OK"));
        Assert.That(File.ReadAllText(path), Is.EqualTo(deployed));
    }

    [Test]
    public async Task Data_that_changed_since_the_last_render_is_rendered()
    {
        await ApplyOkAsync();
        var number = await RouteAnotherNumberAsync();

        var job = await ApplyOkAsync();

        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(JobSteps(job)["render"].Status, Is.EqualTo("OK"));
        Assert.That(File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf")), Does.Contain(number.Number));
    }

    [Test]
    public async Task Dry_run_returns_the_diff_and_changes_nothing()
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        var reloads = Nodes[0].CountActions("Reload");
        var number = await RouteAnotherNumberAsync();
        var body = await Expect(await PostApply(dryRun: true), HttpStatusCode.OK);
        Assert.That(body.GetProperty("changes").GetBoolean(), Is.True);
        Assert.That(body.GetProperty("diff").GetString(), Does.Contain($"+exten => {number.Number},1,Goto(tenant-acme,1001,1)"));
        Assert.That(body.GetProperty("diff_stats").GetProperty("lines_added").GetInt32(), Is.GreaterThanOrEqualTo(1));
        Assert.That(LiveFiles(), Is.EqualTo(before));
        Assert.That(Nodes[0].CountActions("Reload"), Is.EqualTo(reloads));
    }

    [Test]
    public async Task Tenant_admins_dry_run_shows_only_its_own_lines()
    {
        await ApplyOkAsync();
        var other = await CreateTenantAsync();
        var bob = await CreateUserAsync("USER", other.Id, "2002");
        var theirs = (await SeedNumbersAsync(other.Id))[0];
        await Expect(await Admin.PostAsync($"/api/v1/dids/{theirs.Id}/assign", System.Net.Http.Json.JsonContent.Create(new { assigned_type = "USER", assigned_id = bob.Id })), HttpStatusCode.Created);
        var mine = await RouteAnotherNumberAsync();

        var admin = await Expect(await PostApply(dryRun: true), HttpStatusCode.OK);
        Assert.That(admin.GetProperty("diff").GetString(), Does.Contain(theirs.Number).And.Contain(mine.Number));
        var tenant = await Expect(await PostApply(AcmeAdmin.Client, dryRun: true), HttpStatusCode.OK);
        var diff = tenant.GetProperty("diff").GetString()!;
        Assert.That(diff, Does.Contain(mine.Number));
        Assert.That(diff, Does.Not.Contain(theirs.Number).And.Not.Contain(other.Slug).And.Not.Contain("2002"));
    }

    [Test]
    public async Task Support_may_dry_run_but_not_apply()
    {
        var support = await CreateUserAsync("SUPPORT", null);
        await Expect(await PostApply(support.Client, dryRun: true), HttpStatusCode.OK);
        await Expect(await PostApply(support.Client), HttpStatusCode.Forbidden);
        var user = await CreateUserAsync("USER", Acme.Id);
        await Expect(await PostApply(user.Client, dryRun: true), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Tenant_admin_may_apply()
    {
        await RouteAnotherNumberAsync();
        var response = await PostApply(AcmeAdmin.Client);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(Status(await Job(response)), Is.EqualTo("SUCCEEDED"));
    }

    /// <param name="why">A regular expression the job's error must match.</param>
    private async Task AssertFailedApplyLeavesFilesAsTheyWere(Action fault, string why, params string[] statuses)
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        await RouteAnotherNumberAsync();
        fault();
        var response = await PostApply();
        var job = await Job(response);
        Assert.That((int)response.StatusCode, Is.EqualTo(502), job.ToString());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(Status(job), Is.AnyOf(statuses), job.ToString());
        Assert.That(job.GetProperty("error").GetString(), Does.Match(why), job.ToString());
        Assert.That(LiveFiles(), Is.EqualTo(before), "live files must be byte-identical to before the apply");

        ClearFaults();
        var next = await ApplyOkAsync();
        Assert.That(Status(next), Is.EqualTo("SUCCEEDED"));
    }

    [Test]
    public Task Reload_error_rolls_back() =>
        AssertFailedApplyLeavesFilesAsTheyWere(() => Nodes[0].Faults.FailReload = true, "did not reload", "FAILED", "ROLLED_BACK");

    [Test]
    public Task Refused_connection_rolls_back() =>
        AssertFailedApplyLeavesFilesAsTheyWere(() => Nodes[0].Faults.RefuseConnections = true, "Cannot connect to AMI at|closed the connection before sending its banner", "FAILED", "ROLLED_BACK");

    [Test]
    public Task Bad_secret_rolls_back() =>
        AssertFailedApplyLeavesFilesAsTheyWere(() => Nodes[0].Faults.RejectLogin = true, "uthentication", "FAILED", "ROLLED_BACK");

    [Test]
    public Task Reload_that_never_answers_rolls_back() =>
        AssertFailedApplyLeavesFilesAsTheyWere(() => Nodes[0].Faults.NeverRespondTo.Add("Reload"), "No complete answer to AMI action Reload within", "FAILED", "ROLLED_BACK");

    [Test]
    public Task Connection_dropped_mid_response_rolls_back() =>
        AssertFailedApplyLeavesFilesAsTheyWere(() => Nodes[0].Faults.DropConnectionMidResponse.Add("Reload"), "AMI connection lost while waiting for the answer to Reload", "FAILED", "ROLLED_BACK");

    [Test]
    public Task Reload_that_silently_drops_a_context_fails_verification_and_rolls_back() =>
        AssertFailedApplyLeavesFilesAsTheyWere(() => Nodes[0].Faults.ReloadDropsContexts.Add("tenant-acme"), "differs from what was rendered", "ROLLED_BACK");

    [TestCase("appdata", ",31), not Dial(")]
    [TestCase("priority", "lacks 1001 priority 1 (line ")]
    [TestCase("extra", "has 1 priorities that were not rendered")]
    [TestCase("missing", "lacks {number} priority 1 (line ")]
    public async Task A_switch_running_something_else_fails_verification_naming_the_difference_and_rolls_back(string change, string why)
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        var number = await RouteAnotherNumberAsync();
        var dial = new System.Text.RegularExpressions.Regex(@"^(exten => 1001,1,Dial\([^)\n]*,)30\)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Nodes[0].Faults.ReloadRewrites = change switch
        {
            "appdata" => t => dial.Replace(t, "${1}31)"),
            "priority" => t => t.Replace("exten => 1001,1,Dial", "exten => 1001,4,Dial"),
            "extra" => t => t.Replace("exten => 1001,1,Dial", "exten => 1099,1,Hangup()\nexten => 1001,1,Dial"),
            _ => t => t.Replace($"exten => {number.Number},1,", "exten => +10000000000,1,"),
        };
        var response = await PostApply();
        var job = await Job(response);
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(job.GetProperty("error").GetString(),
            Does.Contain("differs from what was rendered").And.Contain(why.Replace("{number}", number.Number)), job.ToString());
        Assert.That(LiveFiles(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_transient_fault_only_in_verify_is_rolled_back_and_the_rollback_reloads()
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        await RouteAnotherNumberAsync();
        Nodes[0].Faults.ReloadInstallsNothing = true;
        var response = await PostApply();
        var job = await Job(response);
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        var rollback = job.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "rollback");
        Assert.That(rollback.GetProperty("output").GetString(), Does.Contain("reloaded asterisk"));
        Assert.That(LiveFiles(), Is.EqualTo(before));
    }

    [Test]
    public async Task Queued_reload_is_waited_for()
    {
        await RouteAnotherNumberAsync();
        Nodes[0].Faults.QueueReloadFor = TimeSpan.FromMilliseconds(300);
        var job = await ApplyOkAsync();
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
    }

    [Test]
    public async Task An_apply_requested_while_one_runs_waits_for_the_next_run()
    {
        await RouteAnotherNumberAsync();
        var reload = Nodes[0].Faults.HoldReload = new FakeGate();
        var first = PostApply();
        await reload.Reached; // the first apply holds the lock, in its reload
        var second = PostApply();
        var queue = App.Services.GetRequiredService<ApplyQueue>();
        await WaitUntilAsync(() => Task.FromResult(queue.Waiting == 1), "the second apply waits for the next run");
        reload.Open();
        var responses = await Task.WhenAll(first, second);
        var jobs = new List<System.Text.Json.JsonElement>();
        foreach (var r in responses)
        {
            Assert.That((int)r.StatusCode, Is.EqualTo(200));
            jobs.Add(await Job(r));
        }
        Assert.That(jobs.Select(Status), Is.EqualTo(new[] { "SUCCEEDED", "NO_CHANGES" }));
        Assert.That(jobs[1].GetProperty("started_at").GetDateTime(), Is.GreaterThanOrEqualTo(jobs[0].GetProperty("finished_at").GetDateTime()));
    }

    [Test]
    public async Task An_apply_that_waits_too_long_for_another_replicas_apply_gets_409_with_the_running_job()
    {
        await RouteAnotherNumberAsync();
        var running = Guid.CreateVersion7();
        await using var replica = await Db.OpenConnectionAsync(); // another replica, in the middle of its apply
        await replica.ExecuteAsync("SELECT pg_advisory_lock(@Key)", new { ApplyLock.Key });
        await replica.ExecuteAsync("INSERT INTO apply_jobs (id, status) VALUES (@running, 'RUNNING')", new { running });
        try
        {
            var second = await Expect(await PostApply(), HttpStatusCode.Conflict);
            Assert.That(second.GetProperty("running_job_id").GetGuid(), Is.EqualTo(running));
        }
        finally
        {
            await replica.ExecuteAsync("UPDATE apply_jobs SET status = 'FAILED', finished_at = now() WHERE id = @running", new { running });
            await replica.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { ApplyLock.Key });
        }
        Assert.That(Status(await ApplyOkAsync()), Is.EqualTo("SUCCEEDED"));
    }

    [Test]
    public async Task The_apply_locks_session_is_kept_between_applies_and_replaced_when_the_server_closed_it()
    {
        await ApplyOkAsync();
        await using var conn = await Db.OpenConnectionAsync();
        const string sessions = "SELECT pid FROM pg_stat_activity WHERE application_name = 'did-apply-lock' AND datname = current_database()";
        var kept = (await conn.QueryAsync<int>(sessions)).ToList();
        await RouteAnotherNumberAsync();
        Assert.That(Status(await ApplyOkAsync()), Is.EqualTo("SUCCEEDED"));
        Assert.That(await conn.QueryAsync<int>(sessions), Is.EqualTo(kept).And.Count.EqualTo(1), "the same session, not a new one per apply");

        await conn.ExecuteAsync("SELECT pg_terminate_backend(@pid)", new { pid = kept[0] });
        await RouteAnotherNumberAsync();

        Assert.That(Status(await ApplyOkAsync()), Is.EqualTo("SUCCEEDED"));
        Assert.That(await conn.QueryAsync<int>(sessions), Has.Count.EqualTo(1).And.Not.Contains(kept[0]));
    }

    [Test]
    public async Task An_apply_keeps_running_after_the_client_hangs_up()
    {
        await ApplyOkAsync();
        var number = await RouteAnotherNumberAsync();
        var reload = Nodes[0].Faults.HoldReload = new FakeGate();
        using var hangUp = new CancellationTokenSource();
        var request = Admin.PostAsync("/api/v1/apply", null, hangUp.Token);
        await reload.Reached; // written, reloading: the worst moment to stop
        await hangUp.CancelAsync();
        reload.Open();
        try
        {
            await request;
        }
        catch (OperationCanceledException)
        {
            // The client gave up; the apply did not.
        }

        // The apply lock is free again only when the job has ended.
        await using (var conn = await Db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("SELECT pg_advisory_lock(@Key)", new { ApplyLock.Key });
            await conn.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { ApplyLock.Key });
        }
        var jobs = await Expect(await Admin.GetAsync("/api/v1/apply/jobs"), HttpStatusCode.OK);
        var job = jobs.GetProperty("items")[0];
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"), job.ToString());
        Assert.That(job.GetProperty("steps").EnumerateArray().Select(x => x.GetProperty("name").GetString()), Does.Contain("verify:asterisk"));
        Assert.That(File.ReadAllText(Path.Combine(ConfigDirs[0], "extensions_custom.conf")), Does.Contain($"exten => {number.Number},1,"));
    }

    [Test]
    public async Task A_failed_first_apply_leaves_empty_files_where_there_were_none()
    {
        foreach (var file in LiveFiles().Keys) File.Delete(Path.Combine(ConfigDirs[0], file));
        Nodes[0].Faults.ReloadDropsContexts.Add("tenant-acme");
        var response = await PostApply();
        var job = await Job(response);
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        var live = LiveFiles();
        Assert.That(live.Keys, Is.EquivalentTo(new[] { "extensions_custom.conf", "queues_custom.conf" }), "emptied, not removed: Asterisk refuses a missing #include");
        Assert.That(live.Values.Select(bytes => bytes.Length), Is.All.Zero);
        var rollback = job.GetProperty("steps").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "rollback");
        Assert.That(rollback.GetProperty("output").GetString(), Does.Contain("emptied extensions_custom.conf (it did not exist before)"));
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Live_files_backups_and_work_files_are_not_readable_by_other_users()
    {
        await RouteAnotherNumberAsync();
        await ApplyOkAsync();
        const UnixFileMode liveMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        foreach (var file in new[] { "extensions_custom.conf", "queues_custom.conf" })
            Assert.That(File.GetUnixFileMode(Path.Combine(ConfigDirs[0], file)), Is.EqualTo(liveMode), file);
        var backups = Directory.GetFiles(Path.Combine(ConfigDirs[0], "backup"));
        Assert.That(backups, Is.Not.Empty);
        foreach (var backup in backups) Assert.That(File.GetUnixFileMode(backup), Is.EqualTo(liveMode), backup);
        var work = Directory.GetDirectories(WorkDir).Single();
        Assert.That(File.GetUnixFileMode(work), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(Directory.GetFileSystemEntries(work), Is.Empty, "each job's work folder is removed when the job ends");
    }

    [Test]
    public async Task A_switch_that_lists_far_more_than_was_rendered_is_cut_off_and_rolled_back()
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        await RouteAnotherNumberAsync();
        var flood = string.Concat(Enumerable.Range(0, 5000).Select(i => $"exten => 7{i:D4},1,Hangup()\n"));
        Nodes[0].Faults.ReloadRewrites = t => t.Replace("[tenant-acme]\n", "[tenant-acme]\n" + flood);
        var response = await PostApply();
        var job = await Job(response);
        Assert.That(Status(job), Is.EqualTo("ROLLED_BACK"), job.ToString());
        Assert.That(job.GetProperty("error").GetString(), Does.Contain("The answer to ShowDialPlan went past"), job.ToString());
        Assert.That(LiveFiles(), Is.EqualTo(before));
    }

    [Test]
    public async Task Tampered_data_fails_the_render_and_touches_nothing()
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        var number = (await SeedNumbersAsync(Acme.Id))[0];
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value) VALUES (gen_random_uuid(), @id, @t, 'EXTERNAL', 'System(id)');
                UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @id;
                """, new { id = number.Id, t = Acme.Id });
        try
        {
            var reloads = Nodes[0].CountActions("Reload");
            var problem = await Expect(await PostApply(), HttpStatusCode.Conflict);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("System"));
            var jobs = await Expect(await Admin.GetAsync("/api/v1/apply/jobs?page_size=1"), HttpStatusCode.OK);
            var job = jobs.GetProperty("items")[0];
            Assert.That(Status(job), Is.EqualTo("FAILED"));
            Assert.That(job.GetProperty("error").GetString(), Does.Contain("1 problem(s) in the data of 1 tenant(s)"));
            Assert.That(LiveFiles(), Is.EqualTo(before));
            Assert.That(Nodes[0].CountActions("Reload"), Is.EqualTo(reloads));
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DELETE FROM did_assignments WHERE phone_number_id = @id; UPDATE phone_numbers SET status = 'ALLOCATED' WHERE id = @id;", new { id = number.Id });
        }
    }

    [Test]
    public async Task Every_apply_writes_an_audit_row_and_backups_are_pruned()
    {
        for (var i = 0; i < 4; i++)
        {
            await RouteAnotherNumberAsync();
            await ApplyOkAsync();
        }
        var audit = await Expect(await Admin.GetAsync("/api/v1/audit-logs?entity_type=APPLY_JOB"), HttpStatusCode.OK);
        Assert.That(audit.GetProperty("total").GetInt64(), Is.GreaterThanOrEqualTo(4));
        var backups = Directory.GetFiles(Path.Combine(ConfigDirs[0], "backup"), "extensions_custom.conf.*");
        Assert.That(backups, Has.Length.EqualTo(3));
    }

    [Test]
    public async Task A_crash_between_write_and_reload_is_recovered_at_the_next_start()
    {
        await ApplyOkAsync();
        var live = Path.Combine(ConfigDirs[0], "extensions_custom.conf");
        var before = File.ReadAllBytes(live);
        // What a process that died after writing and before reloading leaves behind: its backup, named by the job.
        var jobId = Guid.CreateVersion7();
        var backup = Path.Combine(ConfigDirs[0], "backup", $"extensions_custom.conf.20261206T000000Z.{jobId:N}");
        File.Copy(live, backup);
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("INSERT INTO apply_jobs (id, status, backups) VALUES (@jobId, 'RUNNING', @backups::jsonb)", new
            {
                jobId,
                backups = $$"""[{"node":"asterisk","live_path":"{{live}}","backup_path":"{{backup}}"}]""",
            });
        File.WriteAllText(live, "[half-written\nexten => 1,1,Goto(", Encoding.UTF8);

        await using (var restarted = new DidApp(App.ConnectionString, Settings))
        {
            restarted.CreateClient();
            Assert.That(File.ReadAllBytes(live), Is.EqualTo(before));
        }
        var job = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{jobId}"), HttpStatusCode.OK);
        Assert.That(Status(job), Is.EqualTo("FAILED"));
        Assert.That(job.GetProperty("error").GetString(), Does.Contain("restored from its backups"));
        Assert.That(job.GetProperty("finished_at").ValueKind, Is.Not.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task A_planted_job_row_naming_a_file_outside_the_nodes_folders_leaves_that_file_untouched()
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        var outside = Directory.CreateTempSubdirectory("did-outside-").FullName;
        try
        {
            var victim = Path.Combine(outside, "victim.conf");
            File.WriteAllText(victim, "precious");
            // In the shape recovery used to trust (it emptied live_path when backup_path was null), and in today's.
            var jobId = await PlantRunningJobAsync($$"""
                [{"node":"asterisk","live_path":"{{victim}}","backup_path":null},
                 {"node":"asterisk","file":"../../{{Path.GetFileName(outside)}}/victim.conf","backup":"x","existed":false}]
                """);

            await RestartAsync();

            Assert.That(File.ReadAllText(victim), Is.EqualTo("precious"));
            Assert.That(LiveFiles(), Is.EqualTo(before));
            await AssertRecoveredUntouchedAsync(jobId);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Test]
    public async Task A_planted_backup_outside_the_backup_folder_is_not_restored()
    {
        await ApplyOkAsync();
        var before = LiveFiles();
        var outside = Directory.CreateTempSubdirectory("did-outside-").FullName;
        try
        {
            var planted = Path.Combine(outside, "extensions_custom.conf.20261206T000000Z.planted");
            File.WriteAllText(planted, "[tenant-acme]\nexten => 1001,1,System(touch /tmp/owned)\n");
            var live = Path.Combine(ConfigDirs[0], "extensions_custom.conf");
            var jobId = await PlantRunningJobAsync($$"""
                [{"node":"asterisk","live_path":"{{live}}","backup_path":"{{planted}}"},
                 {"node":"asterisk","file":"extensions_custom.conf","backup":"{{planted}}","existed":true}]
                """);

            await RestartAsync();

            Assert.That(LiveFiles(), Is.EqualTo(before));
            await AssertRecoveredUntouchedAsync(jobId);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    /// <summary>What a stopped process would leave, had someone written the row's backup list.</summary>
    private async Task<Guid> PlantRunningJobAsync(string backups)
    {
        var jobId = Guid.CreateVersion7();
        await using var conn = await Db.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO apply_jobs (id, status, backups) VALUES (@jobId, 'RUNNING', @backups::jsonb)", new { jobId, backups });
        return jobId;
    }

    /// <summary>A second start of the service on the same database and folders: it recovers before taking requests.</summary>
    private async Task RestartAsync()
    {
        await using var restarted = new DidApp(App.ConnectionString, Settings);
        restarted.CreateClient();
    }

    private async Task AssertRecoveredUntouchedAsync(Guid jobId)
    {
        var job = await Expect(await Admin.GetAsync($"/api/v1/apply/jobs/{jobId}"), HttpStatusCode.OK);
        Assert.That(Status(job), Is.EqualTo("FAILED"));
        Assert.That(job.GetProperty("error").GetString(), Does.Contain("It had not touched any live file"));
    }

    [Test]
    public async Task Queues_are_reloaded_only_when_the_queue_file_changed()
    {
        await ApplyOkAsync();
        var before = Nodes[0].QueueReloads;
        var name = Unique("q");
        await Expect(await AcmeAdmin.Client.PostAsync("/api/v1/queues", System.Net.Http.Json.JsonContent.Create(
            new { name, strategy = "RINGALL", member_ring_seconds = 15, members = new[] { Alice.Id } })), HttpStatusCode.Created);
        var job = await ApplyOkAsync();
        Assert.That(Status(job), Is.EqualTo("SUCCEEDED"));
        Assert.That(Nodes[0].QueueReloads, Is.EqualTo(before + 1));
        var member = Nodes[0].Queues[$"acme_{name}"].Members.Single();
        Assert.That(member.Interface, Is.EqualTo("Local/1001@acme_members/n"));
        var leg = Fakes.FakeCallWalk.MemberLeg(Nodes[0].Dialplan, member.Interface);
        Assert.That(leg.Select(s => s.Application), Is.EqualTo(new[] { "Dial", "Hangup" }), "the member's phone rings, never its voicemail");

        await RouteAnotherNumberAsync();
        await ApplyOkAsync();
        Assert.That(Nodes[0].QueueReloads, Is.EqualTo(before + 1), "only the dialplan changed: no queue reload");
    }
}
