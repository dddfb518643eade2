/* mkdocs-material's helpers for remembering state in the browser, as in the theme's
 * partials/javascripts/base.html: there an inline script in every page, here a file, so that the
 * Content-Security-Policy of the site can forbid inline scripts. Loaded in <head> before the theme's bundle.
 * The scope is the root of the site: the directory above assets/. */
var __md_scope = new URL("../", document.currentScript.src),
  __md_hash = function (value) {
    return Array.from(value).reduce(function (h, c) { return (h << 5) - h + c.charCodeAt(0); }, 0);
  },
  __md_get = function (key, storage, scope) {
    storage = storage || localStorage;
    scope = scope || __md_scope;
    return JSON.parse(storage.getItem(scope.pathname + "." + key));
  },
  __md_set = function (key, value, storage, scope) {
    storage = storage || localStorage;
    scope = scope || __md_scope;
    try { storage.setItem(scope.pathname + "." + key, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
  };
