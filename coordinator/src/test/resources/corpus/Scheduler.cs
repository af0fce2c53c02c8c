// A tiny job scheduler: written to exercise the syntax a chunker must not be fooled by
// (verbatim, interpolated and raw strings, char literals, attributes, records, generics).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Acme.Scheduling
{
    public enum JobState
    {
        Pending,
        Running,
        Succeeded,
        Failed,
    }

    public record JobResult(string JobId, JobState State, TimeSpan Elapsed, string? Error = null)
    {
        public bool Ok => State == JobState.Succeeded;
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class RetryAttribute : Attribute
    {
        public RetryAttribute(int times) => Times = times;

        public int Times { get; }
    }

    public interface IJob
    {
        string Id { get; }

        Task RunAsync(CancellationToken cancellation);
    }

    public readonly struct Window
    {
        public Window(TimeOnly start, TimeOnly end)
        {
            Start = start;
            End = end;
        }

        public TimeOnly Start { get; }

        public TimeOnly End { get; }

        public bool Contains(TimeOnly t) => Start <= End ? t >= Start && t < End : t >= Start || t < End;
    }

    /// <summary>Runs jobs in priority order inside their time windows.</summary>
    public class Scheduler : IDisposable
    {
        private const string Banner = @"C:\jobs\{scheduler}\ ""quoted"" }";
        private const char Open = '{';
        private const char Close = '}';

        private readonly PriorityQueue<IJob, int> queue = new();
        private readonly Dictionary<string, Window> windows = new();
        private readonly List<JobResult> history = new();
        private readonly object gate = new();
        private bool disposed;

        public event EventHandler<JobResult>? Finished;

        public int Pending
        {
            get
            {
                lock (gate)
                {
                    return queue.Count;
                }
            }
        }

        public void Submit(IJob job, int priority, Window? window = null)
        {
            ArgumentNullException.ThrowIfNull(job);
            lock (gate)
            {
                queue.Enqueue(job, -priority);
                if (window is { } w)
                {
                    windows[job.Id] = w;
                }
            }
        }

        public async Task<IReadOnlyList<JobResult>> RunAllAsync(Func<TimeOnly> clock, CancellationToken cancellation = default)
        {
            var results = new List<JobResult>();
            while (TryNext(clock(), out var job))
            {
                var started = DateTime.UtcNow;
                var retries = job.GetType().GetCustomAttributes(typeof(RetryAttribute), false)
                    .OfType<RetryAttribute>()
                    .Select(a => a.Times)
                    .FirstOrDefault();
                JobResult result;
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await job.RunAsync(cancellation).ConfigureAwait(false);
                        result = new JobResult(job.Id, JobState.Succeeded, DateTime.UtcNow - started);
                        break;
                    }
                    catch (Exception e) when (attempt < retries && e is not OperationCanceledException)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), cancellation);
                    }
                    catch (Exception e)
                    {
                        result = new JobResult(job.Id, JobState.Failed, DateTime.UtcNow - started, e.Message);
                        break;
                    }
                }
                results.Add(result);
                lock (gate)
                {
                    history.Add(result);
                }
                Finished?.Invoke(this, result);
            }
            return results;
        }

        private bool TryNext(TimeOnly now, out IJob job)
        {
            lock (gate)
            {
                var deferred = new List<(IJob, int)>();
                try
                {
                    while (queue.TryDequeue(out var candidate, out var priority))
                    {
                        if (!windows.TryGetValue(candidate.Id, out var w) || w.Contains(now))
                        {
                            job = candidate;
                            return true;
                        }
                        deferred.Add((candidate, priority));
                    }
                    job = null!;
                    return false;
                }
                finally
                {
                    foreach (var (j, p) in deferred)
                    {
                        queue.Enqueue(j, p);
                    }
                }
            }
        }

        public string Report()
        {
            var sb = new StringBuilder();
            sb.AppendLine($"{Banner} {Open}{history.Count} jobs{Close}");
            foreach (var group in history.GroupBy(r => r.State).OrderBy(g => g.Key))
            {
                var label = group.Key switch
                {
                    JobState.Succeeded => "ok",
                    JobState.Failed => "FAILED",
                    _ => group.Key.ToString().ToLowerInvariant(),
                };
                sb.AppendLine($"  {label,-8} {group.Count(),4} {{avg {group.Average(r => r.Elapsed.TotalMilliseconds):F1} ms}}");
            }
            sb.Append("""
                -- raw string with { braces } and "quotes" --
                """);
            return sb.ToString();
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            lock (gate)
            {
                queue.Clear();
                windows.Clear();
            }
            GC.SuppressFinalize(this);
        }
    }

    [Retry(2)]
    public sealed class HttpPingJob : IJob
    {
        private readonly Uri target;

        public HttpPingJob(Uri target) => this.target = target;

        public string Id => $"ping:{target.Host}";

        public async Task RunAsync(CancellationToken cancellation)
        {
            using var client = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await client.GetAsync(target, cancellation);
            response.EnsureSuccessStatusCode();
        }
    }
}
