/* URLPattern, the engine behind it: the WHATWG URL Pattern Standard
 * (https://urlpattern.spec.whatwg.org/): the tokenizer, the pattern parser, the
 * regular-expression and pattern-string generators, the constructor-string parser,
 * URLPatternInit processing, the component canonicalizers and matching.
 *
 * Why this is JavaScript and not C (the one API in islet that is): the standard is an
 * object model of two parsers over token lists, part lists and string-valued options, and
 * its output is a set of ECMAScript RegExp objects that matching runs through
 * RegExpBuiltinExec. In C every one of those steps would have to build JS strings and
 * RegExps through the C API, and the code would be several times longer for no gain:
 * URLPattern is compiled once per pattern (usually at startup), it is not on the request
 * path of islet itself, and matching is RegExp execution either way. The Web IDL shape
 * (the global, the prototype's methods and accessors, brand checks) is C:
 * src/api/urlpattern.c evaluates this file in a realm when its first URLPattern is made,
 * and keeps what it returns out of user code's reach.
 *
 * Robustness: this file is compiled only when a realm makes its first URLPattern, which
 * may be long after user code ran. So it reads nothing from the global object or the
 * built-in prototypes: capture_src in src/api/urlpattern.c takes every built-in used here
 * (and the URL class with its accessors) at install, before any user code, and this
 * function receives them as its argument. A worker that replaces String.prototype
 * methods, RegExp.prototype.exec or the URL accessors, before or after its first
 * URLPattern, cannot change how its patterns compile or match.
 *
 * The canonicalizers call the URL parser through the URL class, as the standard calls the
 * basic URL parser with a state override: a URL setter runs the same parser with the same
 * override. A setter ignores failure silently, so each canonicalizer that can fail sets
 * the value on two dummy URLs that differ only in that component and treats "still
 * different afterwards" as failure. Where the standard's dummy URL record has no scheme,
 * the dummies are non-special ("dummy:"), except for hostnames and pathnames, which
 * browsers and the WPT data canonicalize as for a special URL (backslash ends a
 * hostname and separates path segments). The opaque-path canonicalizer is a few lines of
 * percent-encoding done here, as no URL setter reaches the opaque path state. */
(function (I) {
  'use strict';

  /* ---- Captured built-ins (urlpattern.c's capture_src) ------------------------------ */

  const ReflectApply = I.ReflectApply;
  const uncurry = (fn) => (self, ...args) => ReflectApply(fn, self, args);
  const ObjectCreate = I.ObjectCreate;
  const ObjectDefineProperty = I.ObjectDefineProperty, ObjectFreeze = I.ObjectFreeze;
  const TypeErrorCtor = I.TypeError, RegExpCtor = I.RegExp;
  const encodeURIComponentFn = I.encodeURIComponent;
  const JSONStringify = I.JSONStringify;
  const codePointAt = uncurry(I.codePointAt);
  const strSlice = uncurry(I.slice);
  const toLowerCase = uncurry(I.toLowerCase);
  const lastIndexOf = uncurry(I.lastIndexOf);
  const toWellFormed = uncurry(I.toWellFormed);
  const charCodeAt = uncurry(I.charCodeAt);
  const strIndexOf = uncurry(I.indexOf);
  const push = uncurry(I.push);
  const reExec = uncurry(I.exec);

  /* Made on first use: compiling the Unicode property classes is most of what setting up
   * this file would otherwise cost, whether or not a pattern has a name. */
  let idStart = null, idPart = null;
  const tabOrNewline = /[\t\n\r]/g;
  const replaceAll = uncurry(I.replace);

  /* The standard compiles with the "v" flag (Unicode sets); an engine without it gets "u",
   * which accepts the same patterns except class set operations. */
  const unicodeFlag = (() => {
    try {
      new RegExpCtor('', 'v');
      return 'v';
    } catch {
      return 'u';
    }
  })();

  /* The URL class and its accessors, as installed before any user code ran. */
  const URLCtor = I.URL;
  const urlAccessor = (name) => {
    const d = I.urlAccessors[name];
    return {
      get: d && d.get ? uncurry(d.get) : undefined,
      set: d && d.set ? uncurry(d.set) : undefined,
    };
  };
  const U = {
    href: urlAccessor('href'), protocol: urlAccessor('protocol'),
    username: urlAccessor('username'), password: urlAccessor('password'),
    hostname: urlAccessor('hostname'), port: urlAccessor('port'),
    pathname: urlAccessor('pathname'), search: urlAccessor('search'),
    hash: urlAccessor('hash'),
  };

  const typeError = (msg) => new TypeErrorCtor(msg);
  const show = (s) => JSONStringify(s);

  /* ---- Small helpers ----------------------------------------------------------------- */

  const COMPONENTS = ['protocol', 'username', 'password', 'hostname', 'port', 'pathname',
    'search', 'hash'];
  /* URLPatternInit's members in Web IDL order (lexicographic), for conversions both ways. */
  const INIT_MEMBERS = ['baseURL', 'hash', 'hostname', 'password', 'pathname', 'port',
    'protocol', 'search', 'username'];
  const SPECIAL_SCHEMES = ['ftp', 'file', 'http', 'https', 'ws', 'wss'];
  const DEFAULT_PORTS = ObjectFreeze({ __proto__: null, ftp: '21', http: '80', https: '443',
    ws: '80', wss: '443' });

  const isSpecialScheme = (s) => {
    for (let i = 0; i < SPECIAL_SCHEMES.length; i++) if (SPECIAL_SCHEMES[i] === s) return true;
    return false;
  };

  /* A string as a list of code points (each a one- or two-unit string), because the
   * standard indexes pattern strings by code point. */
  function codePoints(s) {
    const out = [];
    for (let i = 0; i < s.length;) {
      const n = codePointAt(s, i) > 0xffff ? 2 : 1;
      push(out, strSlice(s, i, i + n));
      i += n;
    }
    return out;
  }

  function joinRange(cps, start, end) {
    let r = '';
    for (let i = start; i < end && i < cps.length; i++) r += cps[i];
    return r;
  }

  const firstCodePoint = (s) => (s === '' ? '' : strSlice(s, 0, codePointAt(s, 0) > 0xffff ? 2 : 1));
  const lastCodePoint = (s) => {
    if (s === '') return '';
    const c = charCodeAt(s, s.length - 1);
    return strSlice(s, c >= 0xdc00 && c <= 0xdfff && s.length > 1 ? -2 : -1);
  };

  const isValidNameCodePoint = (cp, first) => {
    if (cp === '') return false;
    if (first) return reExec(idStart ??= new RegExpCtor('^[$_\\p{ID_Start}]$', 'u'), cp) !== null;
    return reExec(idPart ??= new RegExpCtor('^[$\\u200C\\u200D\\p{ID_Continue}]$', 'u'), cp) !== null;
  };
  const isASCII = (cp) => cp.length === 1 && charCodeAt(cp, 0) <= 0x7f;
  const isASCIIDigit = (c) => c !== undefined && c >= '0' && c <= '9' && c.length === 1;

  /* Defines an own enumerable data property, as CreateDataProperty does: never runs a
   * setter (a group may be named "__proto__"). */
  function defineData(o, key, value) {
    ObjectDefineProperty(o, key, { __proto__: null, value, writable: true, enumerable: true,
      configurable: true });
  }

  /* ---- Web IDL conversions ----------------------------------------------------------- */

  /* ToString, then USVString (lone surrogates become U+FFFD). Symbols throw. */
  const toUSV = (v) => toWellFormed(`${v}`);

  const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

  /* A URLPatternInit dictionary, as a null-prototype record holding the present members. */
  function toInit(v, what) {
    const init = ObjectCreate(null);
    if (v === undefined || v === null) return init;
    if (!isObject(v)) throw typeError(`${what} is not an object`);
    for (let i = 0; i < INIT_MEMBERS.length; i++) {
      const k = INIT_MEMBERS[i];
      const x = v[k];
      if (x !== undefined) init[k] = toUSV(x);
    }
    return init;
  }

  /* (USVString or URLPatternInit): null, undefined and objects are the dictionary. */
  const toInput = (v, what) =>
    (v === undefined || v === null || isObject(v) ? toInit(v, what) : toUSV(v));

  function toIgnoreCase(v) {
    if (v === undefined || v === null) return false;
    if (!isObject(v)) throw typeError('URLPatternOptions is not an object');
    return !!v.ignoreCase;
  }

  /* ---- Tokenizing ------------------------------------------------------------------- */

  const T_OPEN = 'open', T_CLOSE = 'close', T_REGEXP = 'regexp', T_NAME = 'name';
  const T_CHAR = 'char', T_ESCAPED = 'escaped-char', T_MODIFIER = 'other-modifier';
  const T_ASTERISK = 'asterisk', T_END = 'end', T_INVALID = 'invalid-char';

  function tokenize(input, strict) {
    const cps = codePoints(input);
    const n = cps.length;
    const tokens = [];
    let index = 0, nextIndex = 0, cp = '';
    const getNext = () => {
      cp = cps[nextIndex];
      nextIndex++;
    };
    const seek = (i) => {
      nextIndex = i;
      getNext();
    };
    const add = (type, nextPos, valuePos, valueLen) => {
      push(tokens, { type, index, value: joinRange(cps, valuePos, valuePos + valueLen) });
      index = nextPos;
    };
    const addWithLength = (type, nextPos, valuePos) => add(type, nextPos, valuePos, nextPos - valuePos);
    const addDefault = (type) => addWithLength(type, nextIndex, index);
    const error = (nextPos, valuePos, why) => {
      if (strict) throw typeError(`Invalid pattern ${show(input)}: ${why} at position ${index}`);
      addWithLength(T_INVALID, nextPos, valuePos);
    };

    while (index < n) {
      seek(index);
      if (cp === '*') {
        addDefault(T_ASTERISK);
        continue;
      }
      if (cp === '+' || cp === '?') {
        addDefault(T_MODIFIER);
        continue;
      }
      if (cp === '\\') {
        if (index === n - 1) {
          error(nextIndex, index, 'a backslash ends the pattern');
          continue;
        }
        const escapedIndex = nextIndex;
        getNext();
        addWithLength(T_ESCAPED, nextIndex, escapedIndex);
        continue;
      }
      if (cp === '{') {
        addDefault(T_OPEN);
        continue;
      }
      if (cp === '}') {
        addDefault(T_CLOSE);
        continue;
      }
      if (cp === ':') {
        let namePos = nextIndex;
        const nameStart = namePos;
        while (namePos < n) {
          seek(namePos);
          if (!isValidNameCodePoint(cp, namePos === nameStart)) break;
          namePos = nextIndex;
        }
        if (namePos <= nameStart) {
          error(nameStart, index, "':' is not followed by a group name");
          continue;
        }
        addWithLength(T_NAME, namePos, nameStart);
        continue;
      }
      if (cp === '(') {
        let depth = 1, regexpPos = nextIndex, failed = false;
        const regexpStart = regexpPos;
        while (regexpPos < n) {
          seek(regexpPos);
          if (!isASCII(cp)) {
            error(regexpStart, index, 'a regular expression group has a non-ASCII character');
            failed = true;
            break;
          }
          if (regexpPos === regexpStart && cp === '?') {
            error(regexpStart, index, "a regular expression group starts with '?'");
            failed = true;
            break;
          }
          if (cp === '\\') {
            if (regexpPos === n - 1) {
              error(regexpStart, index, 'a regular expression group is not closed');
              failed = true;
              break;
            }
            getNext();
            if (!isASCII(cp)) {
              error(regexpStart, index, 'a regular expression group has a non-ASCII character');
              failed = true;
              break;
            }
            regexpPos = nextIndex;
            continue;
          }
          if (cp === ')') {
            depth--;
            if (depth === 0) {
              regexpPos = nextIndex;
              break;
            }
          } else if (cp === '(') {
            depth++;
            if (regexpPos === n - 1) {
              error(regexpStart, index, 'a regular expression group is not closed');
              failed = true;
              break;
            }
            const temporaryPos = nextIndex;
            getNext();
            if (cp !== '?') {
              error(regexpStart, index, "a nested group in a regular expression must start with '(?'");
              failed = true;
              break;
            }
            nextIndex = temporaryPos;
          }
          regexpPos = nextIndex;
        }
        if (failed) continue;
        if (depth !== 0) {
          error(regexpStart, index, 'a regular expression group is not closed');
          continue;
        }
        const regexpLength = regexpPos - regexpStart - 1;
        if (regexpLength === 0) {
          error(regexpStart, index, 'a regular expression group is empty');
          continue;
        }
        add(T_REGEXP, regexpPos, regexpStart, regexpLength);
        continue;
      }
      addDefault(T_CHAR);
    }
    addWithLength(T_END, index, index);
    return tokens;
  }

  /* ---- Parts and parsing pattern strings ------------------------------------------- */

  const P_FIXED = 'fixed-text', P_REGEXP = 'regexp';
  const P_SEGMENT = 'segment-wildcard', P_FULL = 'full-wildcard';
  const M_NONE = '', M_OPTIONAL = '?', M_ZERO_OR_MORE = '*', M_ONE_OR_MORE = '+';
  const FULL_WILDCARD_REGEXP = '.*';

  /* Options: the delimiter and prefix code points and whether matching ignores case. */
  const DEFAULT_OPTIONS = ObjectFreeze({ delimiter: '', prefix: '', ignoreCase: false });
  const HOSTNAME_OPTIONS = ObjectFreeze({ delimiter: '.', prefix: '', ignoreCase: false });
  const PATHNAME_OPTIONS = ObjectFreeze({ delimiter: '/', prefix: '/', ignoreCase: false });
  const withIgnoreCase = (o, ignoreCase) =>
    ({ delimiter: o.delimiter, prefix: o.prefix, ignoreCase });

  function escapeRegexpString(s) {
    let r = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (strIndexOf('.+*?^${}()[]|/\\', c) >= 0) r += '\\';
      r += c;
    }
    return r;
  }

  function escapePatternString(s) {
    let r = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (strIndexOf('+*?:{}()\\', c) >= 0) r += '\\';
      r += c;
    }
    return r;
  }

  const segmentWildcardRegexp = (options) => '[^' + escapeRegexpString(options.delimiter) + ']+?';

  function parsePatternString(input, options, encode) {
    const tokens = tokenize(input, true);
    const segmentWildcard = segmentWildcardRegexp(options);
    const parts = [];
    let pending = '', index = 0, nextNumericName = 0;

    const tryConsume = (type) => {
      const t = tokens[index];
      if (t.type !== type) return null;
      index++;
      return t;
    };
    const tryConsumeModifier = () => tryConsume(T_MODIFIER) || tryConsume(T_ASTERISK);
    const tryConsumeRegexpOrWildcard = (nameToken) => {
      const t = tryConsume(T_REGEXP);
      return !nameToken && !t ? tryConsume(T_ASTERISK) : t;
    };
    const consumeRequired = (type) => {
      const t = tryConsume(type);
      if (t) return t;
      const bad = tokens[index];
      throw typeError(`Invalid pattern ${show(input)}: ` + (bad.type === T_END
        ? `expected '}' at the end` : `unexpected ${show(bad.value)} at position ${bad.index}`));
    };
    const consumeText = () => {
      let r = '';
      for (;;) {
        const t = tryConsume(T_CHAR) || tryConsume(T_ESCAPED);
        if (!t) return r;
        r += t.value;
      }
    };
    const addPendingFixedValue = () => {
      if (pending === '') return;
      const value = encode(pending);
      pending = '';
      push(parts, { type: P_FIXED, value, modifier: M_NONE, name: '', prefix: '', suffix: '' });
    };
    const isDuplicateName = (name) => {
      for (let i = 0; i < parts.length; i++) if (parts[i].name === name) return true;
      return false;
    };
    const addPart = (prefix, nameToken, regexpToken, suffix, modifierToken) => {
      const modifier = modifierToken ? modifierToken.value : M_NONE;
      if (!nameToken && !regexpToken && modifier === M_NONE) {
        /* A "{foo}" grouping: plain text, joined with what surrounds it. */
        pending += prefix;
        return;
      }
      addPendingFixedValue();
      if (!nameToken && !regexpToken) {
        /* "{foo}?": text with a modifier is a part of its own. */
        if (prefix === '') return;
        push(parts, { type: P_FIXED, value: encode(prefix), modifier, name: '', prefix: '',
          suffix: '' });
        return;
      }
      let value;
      if (!regexpToken) value = segmentWildcard;
      else if (regexpToken.type === T_ASTERISK) value = FULL_WILDCARD_REGEXP;
      else value = regexpToken.value;
      let type = P_REGEXP;
      if (value === segmentWildcard) {
        type = P_SEGMENT;
        value = '';
      } else if (value === FULL_WILDCARD_REGEXP) {
        type = P_FULL;
        value = '';
      }
      let name = '';
      if (nameToken) {
        name = nameToken.value;
      } else if (regexpToken) {
        name = '' + nextNumericName;
        nextNumericName++;
      }
      if (isDuplicateName(name)) {
        throw typeError(`Invalid pattern ${show(input)}: the group name ${show(name)} is used twice`);
      }
      push(parts, { type, value, modifier, name, prefix: encode(prefix), suffix: encode(suffix) });
    };

    while (index < tokens.length) {
      /* <prefix char><name><regexp><modifier>, any of them absent. */
      const charToken = tryConsume(T_CHAR);
      let nameToken = tryConsume(T_NAME);
      let regexpToken = tryConsumeRegexpOrWildcard(nameToken);
      if (nameToken || regexpToken) {
        let prefix = charToken ? charToken.value : '';
        if (prefix !== '' && prefix !== options.prefix) {
          pending += prefix;
          prefix = '';
        }
        addPendingFixedValue();
        addPart(prefix, nameToken, regexpToken, '', tryConsumeModifier());
        continue;
      }
      const fixedToken = charToken || tryConsume(T_ESCAPED);
      if (fixedToken) {
        pending += fixedToken.value;
        continue;
      }
      /* <open><prefix text><name><regexp><suffix text><close><modifier>. */
      if (tryConsume(T_OPEN)) {
        const prefix = consumeText();
        nameToken = tryConsume(T_NAME);
        regexpToken = tryConsumeRegexpOrWildcard(nameToken);
        const suffix = consumeText();
        consumeRequired(T_CLOSE);
        addPart(prefix, nameToken, regexpToken, suffix, tryConsumeModifier());
        continue;
      }
      addPendingFixedValue();
      consumeRequired(T_END);
    }
    return parts;
  }

  /* ---- Part lists to regular expressions and to pattern strings -------------------- */

  function generateRegexp(parts, options) {
    let r = '^';
    const names = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.type === P_FIXED) {
        if (part.modifier === M_NONE) r += escapeRegexpString(part.value);
        else r += '(?:' + escapeRegexpString(part.value) + ')' + part.modifier;
        continue;
      }
      push(names, part.name);
      let value = part.value;
      if (part.type === P_SEGMENT) value = segmentWildcardRegexp(options);
      else if (part.type === P_FULL) value = FULL_WILDCARD_REGEXP;
      const repeats = part.modifier === M_ZERO_OR_MORE || part.modifier === M_ONE_OR_MORE;
      if (part.prefix === '' && part.suffix === '') {
        r += repeats ? '((?:' + value + ')' + part.modifier + ')'
                     : '(' + value + ')' + part.modifier;
        continue;
      }
      const prefix = escapeRegexpString(part.prefix), suffix = escapeRegexpString(part.suffix);
      if (!repeats) {
        r += '(?:' + prefix + '(' + value + ')' + suffix + ')' + part.modifier;
        continue;
      }
      /* The prefix and suffix go between repetitions, not before the first or after the
       * last: (?:<prefix>((?:<value>)(?:<suffix><prefix>(?:<value>))*)<suffix>)? */
      r += '(?:' + prefix + '((?:' + value + ')(?:' + suffix + prefix + '(?:' + value + '))*)' +
           suffix + ')';
      if (part.modifier === M_ZERO_OR_MORE) r += '?';
    }
    return { source: r + '$', names };
  }

  function generatePatternString(parts, options) {
    let r = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const previous = i > 0 ? parts[i - 1] : null;
      const next = i < parts.length - 1 ? parts[i + 1] : null;
      if (part.type === P_FIXED) {
        if (part.modifier === M_NONE) r += escapePatternString(part.value);
        else r += '{' + escapePatternString(part.value) + '}' + part.modifier;
        continue;
      }
      const customName = !isASCIIDigit(part.name[0]);
      let needsGrouping = part.suffix !== '' ||
        (part.prefix !== '' && part.prefix !== options.prefix);
      if (!needsGrouping && customName && part.type === P_SEGMENT && part.modifier === M_NONE &&
          next && next.prefix === '' && next.suffix === '') {
        /* ":foo" followed by text that would read as part of the name, or by a numbered
         * group, needs braces to keep its end. */
        if (next.type === P_FIXED) needsGrouping = isValidNameCodePoint(firstCodePoint(next.value), false);
        else needsGrouping = isASCIIDigit(next.name[0]);
      }
      if (!needsGrouping && part.prefix === '' && previous && previous.type === P_FIXED &&
          options.prefix !== '' && lastCodePoint(previous.value) === options.prefix) {
        needsGrouping = true;
      }
      if (needsGrouping) r += '{';
      r += escapePatternString(part.prefix);
      if (customName) r += ':' + part.name;
      if (part.type === P_REGEXP) {
        r += '(' + part.value + ')';
      } else if (part.type === P_SEGMENT && !customName) {
        r += '(' + segmentWildcardRegexp(options) + ')';
      } else if (part.type === P_FULL) {
        if (!customName && (!previous || previous.type === P_FIXED ||
            previous.modifier !== M_NONE || needsGrouping || part.prefix !== '')) {
          r += '*';
        } else {
          r += '(' + FULL_WILDCARD_REGEXP + ')';
        }
      }
      if (part.type === P_SEGMENT && customName && part.suffix !== '' &&
          isValidNameCodePoint(firstCodePoint(part.suffix), false)) {
        r += '\\';
      }
      r += escapePatternString(part.suffix);
      if (needsGrouping) r += '}';
      r += part.modifier;
    }
    return r;
  }

  /* ---- Components --------------------------------------------------------------------- */

  function compileComponent(input, encode, options) {
    const parts = parsePatternString(input, options, encode);
    const { source, names } = generateRegexp(parts, options);
    let regexp;
    try {
      regexp = new RegExpCtor(source, options.ignoreCase ? unicodeFlag + 'i' : unicodeFlag);
    } catch (e) {
      throw typeError(`Invalid pattern ${show(input)}: ${e && e.message}`);
    }
    let hasRegExpGroups = false;
    for (let i = 0; i < parts.length; i++) if (parts[i].type === P_REGEXP) hasRegExpGroups = true;
    return { pattern: generatePatternString(parts, options), regexp, names, hasRegExpGroups };
  }

  function protocolComponentMatchesSpecialScheme(component) {
    for (let i = 0; i < SPECIAL_SCHEMES.length; i++) {
      if (reExec(component.regexp, SPECIAL_SCHEMES[i]) !== null) return true;
    }
    return false;
  }

  function hostnamePatternIsIPv6(input) {
    const cps = codePoints(input);
    if (cps.length < 2) return false;
    return cps[0] === '[' || ((cps[0] === '{' || cps[0] === '\\') && cps[1] === '[');
  }

  /* ---- The URL parser, through URL ----------------------------------------------------- */

  function newURL(input, base) {
    if (!URLCtor) throw typeError('URLPattern needs the URL class, which is not installed');
    return base === undefined ? new URLCtor(input) : new URLCtor(input, base);
  }

  /* The parts of a parsed URL the standard reads, or null when parsing fails. */
  function parseURL(input, base) {
    let u;
    try {
      u = newURL(input, base);
    } catch {
      return null;
    }
    const protocol = U.protocol.get(u);
    const search = U.search.get(u), hash = U.hash.get(u);
    return {
      scheme: strSlice(protocol, 0, -1),
      username: U.username.get(u),
      password: U.password.get(u),
      host: U.hostname.get(u),
      port: U.port.get(u),
      path: U.pathname.get(u),
      query: strSlice(search, 1),
      fragment: strSlice(hash, 1),
      /* An opaque path follows "scheme:" directly; a path list or a host starts with '/'. */
      opaquePath: U.href.get(u)[protocol.length] !== '/',
    };
  }

  /* ---- Canonicalization: the encoding callbacks ------------------------------------ */

  function canonicalizeProtocol(value) {
    if (value === '') return value;
    let u;
    try {
      u = newURL(value + '://dummy.test');
    } catch {
      throw typeError(`Invalid protocol ${show(value)}`);
    }
    return strSlice(U.protocol.get(u), 0, -1);
  }

  function canonicalizeUsername(value) {
    if (value === '') return value;
    const u = newURL('https://dummy.test/');
    U.username.set(u, value);
    return U.username.get(u);
  }

  function canonicalizePassword(value) {
    if (value === '') return value;
    const u = newURL('https://dummy.test/');
    U.password.set(u, value);
    return U.password.get(u);
  }

  /* Runs a setter on two URLs that differ in that component: a setter that fails leaves
   * both as they were, so only a value that took on both is a result. */
  function setOnTwo(urlA, urlB, accessor, value, what) {
    const a = newURL(urlA), b = newURL(urlB);
    accessor.set(a, value);
    accessor.set(b, value);
    const ra = accessor.get(a);
    if (ra !== accessor.get(b)) throw typeError(`Invalid ${what} ${show(value)}`);
    return ra;
  }

  function canonicalizeHostname(value) {
    if (value === '') return value;
    return setOnTwo('https://a.invalid/', 'https://b.invalid/', U.hostname, value, 'hostname');
  }

  function canonicalizeIPv6Hostname(value) {
    let r = '';
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
            c === '[' || c === ']' || c === ':')) {
        throw typeError(`Invalid IPv6 hostname ${show(value)}`);
      }
      r += toLowerCase(c);
    }
    return r;
  }

  function canonicalizePort(value, protocol) {
    if (value === '') return value;
    /* The scheme only matters for its default port. */
    const scheme = protocol !== undefined && DEFAULT_PORTS[protocol] !== undefined ? protocol : 'dummy';
    return setOnTwo(scheme + '://dummy.test:1/', scheme + '://dummy.test:2/', U.port, value, 'port');
  }

  function canonicalizePathname(value) {
    if (value === '') return value;
    /* The parser gives every path a leading '/'; a piece of a pattern may not have one, so
     * it gets "/-" (the '-' keeps a leading "." from reading as a dot segment), removed
     * again afterwards. */
    const leadingSlash = value[0] === '/';
    const u = newURL('https://dummy.test/');
    U.pathname.set(u, leadingSlash ? value : '/-' + value);
    const r = U.pathname.get(u);
    return leadingSlash ? r : strSlice(r, 2);
  }

  /* The opaque path state of the URL parser: C0 controls and non-ASCII percent-encoded,
   * ending at '?' or '#'; a space right before either is encoded so it is not trimmed. */
  function canonicalizeOpaquePathname(value) {
    if (value === '') return value;
    const s = replaceAll(tabOrNewline, value, '');
    let r = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '?' || c === '#') break;
      const code = charCodeAt(s, i);
      if (c === ' ') {
        r += s[i + 1] === '?' || s[i + 1] === '#' ? '%20' : ' ';
      } else if (code < 0x20 || code > 0x7e) {
        const n = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
        r += encodeURIComponentFn(strSlice(s, i, i + n));
        i += n - 1;
      } else {
        r += c;
      }
    }
    return r;
  }

  function canonicalizeSearch(value) {
    if (value === '') return value;
    /* The setter drops one leading '?', which belongs to the value here. */
    const u = newURL('dummy://dummy.test/');
    U.search.set(u, '?' + value);
    return strSlice(U.search.get(u), 1);
  }

  function canonicalizeHash(value) {
    if (value === '') return value;
    const u = newURL('dummy://dummy.test/');
    U.hash.set(u, '#' + value);
    return strSlice(U.hash.get(u), 1);
  }

  /* ---- URLPatternInit processing ----------------------------------------------------- */

  const processBaseURLString = (input, type) =>
    (type === 'pattern' ? escapePatternString(input) : input);

  function isAbsolutePathname(input, type) {
    if (input === '') return false;
    if (input[0] === '/') return true;
    if (type === 'url') return false;
    if (input.length < 2) return false;
    return (input[0] === '\\' || input[0] === '{') && input[1] === '/';
  }

  const hasAny = (init, keys) => {
    for (let i = 0; i < keys.length; i++) if (init[keys[i]] !== undefined) return true;
    return false;
  };

  /* type is "pattern" (compiling) or "url" (matching); url starts every component at "". */
  function processInit(init, type) {
    const result = ObjectCreate(null);
    if (type === 'url') for (let i = 0; i < COMPONENTS.length; i++) result[COMPONENTS[i]] = '';
    let baseURL = null;
    if (init.baseURL !== undefined) {
      baseURL = parseURL(init.baseURL);
      if (!baseURL) throw typeError(`Invalid base URL ${show(init.baseURL)}`);
      /* A component is taken from the base only if init sets none at least as specific. */
      if (init.protocol === undefined) result.protocol = processBaseURLString(baseURL.scheme, type);
      if (type !== 'pattern' && !hasAny(init, ['protocol', 'hostname', 'port', 'username'])) {
        result.username = processBaseURLString(baseURL.username, type);
      }
      if (type !== 'pattern' &&
          !hasAny(init, ['protocol', 'hostname', 'port', 'username', 'password'])) {
        result.password = processBaseURLString(baseURL.password, type);
      }
      if (!hasAny(init, ['protocol', 'hostname'])) {
        result.hostname = processBaseURLString(baseURL.host, type);
      }
      if (!hasAny(init, ['protocol', 'hostname', 'port'])) result.port = baseURL.port;
      if (!hasAny(init, ['protocol', 'hostname', 'port', 'pathname'])) {
        result.pathname = processBaseURLString(baseURL.path, type);
      }
      if (!hasAny(init, ['protocol', 'hostname', 'port', 'pathname', 'search'])) {
        result.search = processBaseURLString(baseURL.query, type);
      }
      if (!hasAny(init, ['protocol', 'hostname', 'port', 'pathname', 'search', 'hash'])) {
        result.hash = processBaseURLString(baseURL.fragment, type);
      }
    }
    const url = type !== 'pattern';
    if (init.protocol !== undefined) {
      let v = init.protocol;
      if (v !== '' && v[v.length - 1] === ':') v = strSlice(v, 0, -1);
      result.protocol = url ? canonicalizeProtocol(v) : v;
    }
    if (init.username !== undefined) {
      result.username = url ? canonicalizeUsername(init.username) : init.username;
    }
    if (init.password !== undefined) {
      result.password = url ? canonicalizePassword(init.password) : init.password;
    }
    if (init.hostname !== undefined) {
      result.hostname = url ? canonicalizeHostname(init.hostname) : init.hostname;
    }
    if (init.port !== undefined) {
      result.port = url ? canonicalizePort(init.port, result.protocol) : init.port;
    }
    if (init.pathname !== undefined) {
      let pathname = init.pathname;
      /* A relative pathname resolves against a hierarchical base's directory. (The
       * standard's text says "has an opaque path" here; its tests and every engine
       * resolve against bases that do not.) */
      if (baseURL && !baseURL.opaquePath && !isAbsolutePathname(pathname, type)) {
        const basePath = processBaseURLString(baseURL.path, type);
        const slash = lastIndexOf(basePath, '/');
        if (slash >= 0) pathname = strSlice(basePath, 0, slash + 1) + pathname;
      }
      if (url) {
        const protocol = result.protocol;
        pathname = isSpecialScheme(protocol) || protocol === ''
          ? canonicalizePathname(pathname) : canonicalizeOpaquePathname(pathname);
      }
      result.pathname = pathname;
    }
    if (init.search !== undefined) {
      let v = init.search;
      if (v[0] === '?') v = strSlice(v, 1);
      result.search = url ? canonicalizeSearch(v) : v;
    }
    if (init.hash !== undefined) {
      let v = init.hash;
      if (v[0] === '#') v = strSlice(v, 1);
      result.hash = url ? canonicalizeHash(v) : v;
    }
    return result;
  }

  /* ---- Constructor string parsing ---------------------------------------------------- */

  const S_INIT = 'init', S_PROTOCOL = 'protocol', S_AUTHORITY = 'authority';
  const S_USERNAME = 'username', S_PASSWORD = 'password', S_HOSTNAME = 'hostname';
  const S_PORT = 'port', S_PATHNAME = 'pathname', S_SEARCH = 'search', S_HASH = 'hash';
  const S_DONE = 'done';

  function parseConstructorString(input) {
    const cps = codePoints(input);
    const tokens = tokenize(input, false);
    const result = ObjectCreate(null);
    let componentStart = 0, tokenIndex = 0, tokenIncrement = 1, groupDepth = 0;
    let ipv6BracketDepth = 0, protocolMatchesSpecialScheme = false, state = S_INIT;

    const safeToken = (i) => (i < tokens.length ? tokens[i] : tokens[tokens.length - 1]);
    const isNonSpecialPatternChar = (i, value) => {
      const t = safeToken(i);
      return t.value === value && (t.type === T_CHAR || t.type === T_ESCAPED || t.type === T_INVALID);
    };
    const isProtocolSuffix = () => isNonSpecialPatternChar(tokenIndex, ':');
    const nextIsAuthoritySlashes = () =>
      isNonSpecialPatternChar(tokenIndex + 1, '/') && isNonSpecialPatternChar(tokenIndex + 2, '/');
    const isIdentityTerminator = () => isNonSpecialPatternChar(tokenIndex, '@');
    const isPasswordPrefix = () => isNonSpecialPatternChar(tokenIndex, ':');
    const isPortPrefix = () => isNonSpecialPatternChar(tokenIndex, ':');
    const isPathnameStart = () => isNonSpecialPatternChar(tokenIndex, '/');
    const isSearchPrefix = () => {
      if (isNonSpecialPatternChar(tokenIndex, '?')) return true;
      if (tokens[tokenIndex].value !== '?') return false;
      /* A '?' modifier reads as the search prefix unless it follows something it can
       * modify. */
      if (tokenIndex - 1 < 0) return true;
      const t = safeToken(tokenIndex - 1).type;
      return !(t === T_NAME || t === T_REGEXP || t === T_CLOSE || t === T_ASTERISK);
    };
    const isHashPrefix = () => isNonSpecialPatternChar(tokenIndex, '#');
    const isGroupOpen = () => tokens[tokenIndex].type === T_OPEN;
    const isGroupClose = () => tokens[tokenIndex].type === T_CLOSE;
    const isIPv6Open = () => isNonSpecialPatternChar(tokenIndex, '[');
    const isIPv6Close = () => isNonSpecialPatternChar(tokenIndex, ']');
    const makeComponentString = () =>
      joinRange(cps, safeToken(componentStart).index, tokens[tokenIndex].index);

    const changeState = (newState, skip) => {
      if (state !== S_INIT && state !== S_AUTHORITY && state !== S_DONE) {
        result[state] = makeComponentString();
      }
      if (state !== S_INIT && newState !== S_DONE) {
        /* Components between the last one given and the new one are empty. */
        const beforeHost = state === S_PROTOCOL || state === S_AUTHORITY ||
          state === S_USERNAME || state === S_PASSWORD;
        const beforePath = beforeHost || state === S_HOSTNAME || state === S_PORT;
        if (beforeHost && (newState === S_PORT || newState === S_PATHNAME ||
            newState === S_SEARCH || newState === S_HASH) && result.hostname === undefined) {
          result.hostname = '';
        }
        if (beforePath && (newState === S_SEARCH || newState === S_HASH) &&
            result.pathname === undefined) {
          result.pathname = protocolMatchesSpecialScheme ? '/' : '';
        }
        if ((beforePath || state === S_PATHNAME) && newState === S_HASH &&
            result.search === undefined) {
          result.search = '';
        }
      }
      state = newState;
      tokenIndex += skip;
      componentStart = tokenIndex;
      tokenIncrement = 0;
    };
    const rewind = () => {
      tokenIndex = componentStart;
      tokenIncrement = 0;
    };
    const rewindAndSetState = (s) => {
      rewind();
      state = s;
    };
    const computeProtocolMatchesSpecialScheme = () => {
      const component = compileComponent(makeComponentString(), canonicalizeProtocol, DEFAULT_OPTIONS);
      if (protocolComponentMatchesSpecialScheme(component)) protocolMatchesSpecialScheme = true;
    };

    while (tokenIndex < tokens.length) {
      tokenIncrement = 1;
      if (tokens[tokenIndex].type === T_END) {
        if (state === S_INIT) {
          /* No protocol: a relative pattern, starting with a pathname, search or hash. */
          rewind();
          if (isHashPrefix()) changeState(S_HASH, 1);
          else if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else changeState(S_PATHNAME, 0);
          tokenIndex += tokenIncrement;
          continue;
        }
        if (state === S_AUTHORITY) {
          /* No '@': the authority is all host. */
          rewindAndSetState(S_HOSTNAME);
          tokenIndex += tokenIncrement;
          continue;
        }
        changeState(S_DONE, 0);
        break;
      }
      /* Nothing inside "{ ... }" ends a component. */
      if (isGroupOpen()) {
        groupDepth++;
        tokenIndex += tokenIncrement;
        continue;
      }
      if (groupDepth > 0) {
        if (isGroupClose()) {
          groupDepth--;
        } else {
          tokenIndex += tokenIncrement;
          continue;
        }
      }
      switch (state) {
        case S_INIT:
          if (isProtocolSuffix()) rewindAndSetState(S_PROTOCOL);
          break;
        case S_PROTOCOL:
          if (isProtocolSuffix()) {
            computeProtocolMatchesSpecialScheme();
            let nextState = S_PATHNAME, skip = 1;
            if (nextIsAuthoritySlashes()) {
              nextState = S_AUTHORITY;
              skip = 3;
            } else if (protocolMatchesSpecialScheme) {
              nextState = S_AUTHORITY;
            }
            changeState(nextState, skip);
          }
          break;
        case S_AUTHORITY:
          if (isIdentityTerminator()) rewindAndSetState(S_USERNAME);
          else if (isPathnameStart() || isSearchPrefix() || isHashPrefix()) rewindAndSetState(S_HOSTNAME);
          break;
        case S_USERNAME:
          if (isPasswordPrefix()) changeState(S_PASSWORD, 1);
          else if (isIdentityTerminator()) changeState(S_HOSTNAME, 1);
          break;
        case S_PASSWORD:
          if (isIdentityTerminator()) changeState(S_HOSTNAME, 1);
          break;
        case S_HOSTNAME:
          if (isIPv6Open()) ipv6BracketDepth++;
          else if (isIPv6Close()) ipv6BracketDepth--;
          else if (isPortPrefix() && ipv6BracketDepth === 0) changeState(S_PORT, 1);
          else if (isPathnameStart()) changeState(S_PATHNAME, 0);
          else if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        case S_PORT:
          if (isPathnameStart()) changeState(S_PATHNAME, 0);
          else if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        case S_PATHNAME:
          if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        case S_SEARCH:
          if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        default:
          break;
      }
      tokenIndex += tokenIncrement;
    }
    /* A host without a port means the default port, not any port. */
    if (result.hostname !== undefined && result.port === undefined) result.port = '';
    return result;
  }

  /* ---- Create and match (the high-level operations) ------------------------------- */

  /* The URL pattern behind a URLPattern: the getters' strings at the top, compiled
   * components in c. */
  function create(input, baseURL, ignoreCase) {
    let init;
    if (typeof input === 'string') {
      init = parseConstructorString(input);
      if (baseURL === null && init.protocol === undefined) {
        throw typeError(`Invalid pattern ${show(input)}: a relative pattern needs a base URL`);
      }
      if (baseURL !== null) init.baseURL = baseURL;
    } else {
      if (baseURL !== null) {
        throw typeError('A base URL must be given inside the URLPatternInit, not next to it');
      }
      init = input;
    }
    const processed = processInit(init, 'pattern');
    for (let i = 0; i < COMPONENTS.length; i++) {
      if (processed[COMPONENTS[i]] === undefined) processed[COMPONENTS[i]] = '*';
    }
    if (isSpecialScheme(processed.protocol) && processed.port === DEFAULT_PORTS[processed.protocol]) {
      processed.port = '';
    }
    const protocol = compileComponent(processed.protocol, canonicalizeProtocol, DEFAULT_OPTIONS);
    const username = compileComponent(processed.username, canonicalizeUsername, DEFAULT_OPTIONS);
    const password = compileComponent(processed.password, canonicalizePassword, DEFAULT_OPTIONS);
    const hostname = compileComponent(processed.hostname,
      hostnamePatternIsIPv6(processed.hostname) ? canonicalizeIPv6Hostname : canonicalizeHostname,
      HOSTNAME_OPTIONS);
    const port = compileComponent(processed.port, canonicalizePort, DEFAULT_OPTIONS);
    const options = withIgnoreCase(DEFAULT_OPTIONS, ignoreCase);
    const pathname = protocolComponentMatchesSpecialScheme(protocol)
      ? compileComponent(processed.pathname, canonicalizePathname,
        withIgnoreCase(PATHNAME_OPTIONS, ignoreCase))
      : compileComponent(processed.pathname, canonicalizeOpaquePathname, options);
    const search = compileComponent(processed.search, canonicalizeSearch, options);
    const hash = compileComponent(processed.hash, canonicalizeHash, options);
    const c = [protocol, username, password, hostname, port, pathname, search, hash];
    const p = ObjectCreate(null);
    let hasRegExpGroups = false;
    for (let i = 0; i < COMPONENTS.length; i++) {
      p[COMPONENTS[i]] = c[i].pattern;
      if (c[i].hasRegExpGroups) hasRegExpGroups = true;
    }
    p.hasRegExpGroups = hasRegExpGroups;
    p.c = c;
    return ObjectFreeze(p);
  }

  /* A URLPatternInit back in JS: a new object with the members present. */
  function initToJS(init) {
    const o = {};
    for (let i = 0; i < INIT_MEMBERS.length; i++) {
      const k = INIT_MEMBERS[i];
      if (init[k] !== undefined) defineData(o, k, init[k]);
    }
    return o;
  }

  function componentResult(component, input, execResult) {
    const groups = {};
    for (let i = 1; i < execResult.length; i++) defineData(groups, component.names[i - 1], execResult[i]);
    return { groups, input };
  }

  /* The standard's match up to the regexp results: the component values and each
   * component's RegExpBuiltinExec result, or null when input does not match (or is not a
   * URL). */
  function matchComponents(p, input, baseURL) {
    let values;
    if (typeof input !== 'string') {
      if (baseURL !== undefined) {
        throw typeError('A base URL must be given inside the URLPatternInit, not next to it');
      }
      try {
        values = processInit(input, 'url');
      } catch {
        return null;
      }
    } else {
      if (baseURL !== undefined && !parseURL(baseURL)) return null;
      const url = parseURL(input, baseURL);
      if (!url) return null;
      values = { protocol: url.scheme, username: url.username, password: url.password,
        hostname: url.host, port: url.port, pathname: url.path, search: url.query,
        hash: url.fragment };
    }
    const execs = [];
    for (let i = 0; i < COMPONENTS.length; i++) {
      const r = reExec(p.c[i].regexp, values[COMPONENTS[i]]);
      if (r === null) return null;
      push(execs, r);
    }
    return { values, execs };
  }

  /* A URLPatternResult, or null. */
  function match(p, input, baseURL) {
    const m = matchComponents(p, input, baseURL);
    if (!m) return null;
    const inputs = [typeof input === 'string' ? input : initToJS(input)];
    if (typeof input === 'string' && baseURL !== undefined) push(inputs, baseURL);
    const cr = (i) => componentResult(p.c[i], m.values[COMPONENTS[i]], m.execs[i]);
    /* The dictionary's members in Web IDL order (lexicographic). */
    return {
      hash: cr(7), hostname: cr(3), inputs, password: cr(2), pathname: cr(5), port: cr(4),
      protocol: cr(0), search: cr(6), username: cr(1),
    };
  }

  /* ---- What urlpattern.c calls --------------------------------------------------------- */

  return ObjectFreeze({
    __proto__: null,
    /* new URLPattern(...): argc and the arguments as given. Web IDL overload resolution:
     * with 3 arguments, or 2 whose second is not a dictionary, the second is baseURL. */
    construct(argc, a, b, c) {
      const baseURLGiven = argc >= 3 || (argc === 2 && b !== undefined && b !== null && !isObject(b));
      const input = toInput(argc > 0 ? a : undefined, 'URLPatternInit');
      const baseURL = baseURLGiven ? toUSV(b) : null;
      const ignoreCase = toIgnoreCase(baseURLGiven ? c : b);
      return create(input, baseURL, ignoreCase);
    },
    /* test() and exec(): the pattern and the arguments as given. */
    test(p, input, baseURL) {
      const i = toInput(input, 'URLPatternInit');
      return matchComponents(p, i, baseURL === undefined ? undefined : toUSV(baseURL)) !== null;
    },
    exec(p, input, baseURL) {
      const i = toInput(input, 'URLPatternInit');
      return match(p, i, baseURL === undefined ? undefined : toUSV(baseURL));
    },
  });
})
