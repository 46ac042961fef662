// Runs a web-platform-tests data file's cases and compares the outcome with the area's
// expectations file, so that a new failure and an unexpected pass both fail the test.
//
// runCases(area, cases, check, expectedText, idOf?)
//   cases        the data (comment strings in it are skipped)
//   check(c)     throws (e.g. an assert.js failure) when case c fails
//   expectedText the AREA.expected file: one known failure per line, `<id> -- reason`,
//                where <id> is JSON.stringify(idOf(c)); blank lines and # comments skipped
//   idOf(c)      what identifies a case (default: the case itself)
// Prints `AREA: passed/total` (and the known failures' count), then throws listing new
// failures and expected failures that passed.

function parseExpected(text) {
  const known = new Map();
  for (const raw of (text ?? "").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" -- ");
    if (cut < 0) throw new Error(`expectations: a line without " -- reason": ${line}`);
    known.set(line.slice(0, cut), line.slice(cut + 4));
  }
  return known;
}

export function runCases(area, cases, check, expectedText, idOf = (c) => c) {
  const known = parseExpected(expectedText);
  const seen = new Set();
  const newFailures = [];
  const unexpectedPasses = [];
  let total = 0;
  let passed = 0;
  for (const c of cases) {
    if (typeof c === "string") continue;
    total++;
    const id = JSON.stringify(idOf(c));
    seen.add(id);
    let error = null;
    try {
      check(c);
    } catch (e) {
      error = e;
    }
    if (!error) {
      passed++;
      if (known.has(id)) unexpectedPasses.push(id);
    } else if (!known.has(id)) {
      newFailures.push(`${id}: ${error && error.message}`);
    }
  }
  const stale = [...known.keys()].filter((id) => !seen.has(id));
  console.log(`${area}: ${passed}/${total} passed, ${known.size} known failures`);
  const problems = [];
  if (newFailures.length)
    problems.push(`${newFailures.length} new failures:\n  ` + newFailures.slice(0, 20).join("\n  "));
  if (unexpectedPasses.length)
    problems.push(`${unexpectedPasses.length} listed as failing but passed (take them off ` +
      `${area}.expected):\n  ` + unexpectedPasses.slice(0, 20).join("\n  "));
  if (stale.length)
    problems.push(`${stale.length} listed cases that do not exist:\n  ` + stale.slice(0, 20).join("\n  "));
  if (problems.length) throw new Error(`${area}: ` + problems.join("\n"));
}
