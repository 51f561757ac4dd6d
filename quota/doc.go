// Package quota enforces the quotas of the account service — points per
// request, per day, per date window and concurrent executions — for a service
// and method group, over a storage.CounterStore. It never imports net/http.
//
// # Quotas
//
// Quotas are defined on roles (permissions.Quota); a user's effective quotas
// are permissions.Set.Quotas: one per service and method group, each field
// the most generous of the user's roles, 0 meaning no limit. [NewDocument]
// builds the GET /quotas document from them.
//
// # Enforcement
//
// [Enforcer.Acquire] charges points to a [Subject] before an operation runs
// and returns a release function to call when it ends (also after a panic:
// defer it). It checks, in this order:
//
//  1. points_per_request: more points than the limit are refused outright;
//  2. max_concurrent_execution: a concurrency slot is taken
//     (CounterStore.AcquireSlot, with a holder id per call and
//     Config.SlotTTL as the longest an operation may hold it if the release
//     never comes); release frees it;
//  3. points_per_day: a counter per user, service, method group and day,
//     the day cut in the user's time zone, expiring when the day ends plus
//     Config.Margin;
//  4. points_per_date_window: a counter per date window. A date window is a
//     fixed block of Config.WindowDays consecutive days (default 30) in the
//     user's time zone, numbered from 1970-01-01, so windows of all users
//     start on the same dates. A fixed window is what a store can count
//     atomically with one increment; a rolling window would need a sum over
//     days.
//
// Each counter is incremented first and checked after (the store's
// increment is atomic), so many goroutines and processes sharing the store
// never admit more than a limit. A request refused by a later limit rolls
// back what earlier steps charged (an increment by the negative amount, and
// the slot released), so nothing is half-charged. The price of the atomic
// increment is that a request may be refused while a concurrent one that
// will itself be refused has not rolled back yet; limits are never exceeded.
// Points are not refunded on release: an operation that ran is charged.
//
// A refusal is an [*ExceededError] wrapping [ErrQuotaExceeded], naming the
// limit and carrying a Retry-After hint. A store failure denies, with the
// store's error wrapped. A user without a quota for the service and method
// group is refused with [ErrNoQuota] (default deny) unless Subject.Admin.
package quota
