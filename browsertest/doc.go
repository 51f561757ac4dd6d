// Package browsertest drives the example web application of examples/webapp
// through a real, headless Chromium, as a person at a browser would: the
// login page and its errors, the redirect back to the page first asked for,
// a customers table shaped by the user's permissions, a forged edit from a
// read-only user's page, forms on another origin posting to the application,
// sessions ended from another browser (a password change, "log out" on a
// session in the list) and a user created on the admin page who then logs
// in.
//
// It is a module of its own so that neither the library nor the examples
// depend on chromedp. It has no code to import; everything is in its tests,
// which serve the application in-process on a loopback port (httptest) and
// give each user a browser context of its own, so that each has its own
// cookies.
//
// Run the tests with go test in this directory (make test at the root does).
// They look for the browser in $CHROMIUM, else for chromium, chromium-browser
// or google-chrome on PATH. Without one they skip, unless
// GATEHOUSE_REQUIRE_BROWSER=1 (set by .ci/run), under which a missing browser
// fails every test. Chromium runs headless, without GPU, and without its
// sandbox only when the tests run as root.
//
// A test that fails saves a full-page screenshot and the HTML of every
// browser it opened, and logs where: under $GATEHOUSE_ARTIFACTS when it is
// set, in t.ArtifactDir() under go test -artifacts, else in a new directory
// under the system's temporary directory that is kept.
package browsertest
