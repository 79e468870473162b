// The portal's pages at CloudFront's edge (runtime cloudfront-js-2.0), on the distribution's default
// behavior, for viewer requests and viewer responses. The same rules as the local gateway's
// (devportal_local/web.py): `/catalog/api/` is catalog/api/index.html, `/sign-in` is redirected to
// `/sign-in/`, any other path that is not a file of the build is the build's 404 page, answered
// with 404. stacks/web_stack.py puts the build's pages in place of the two names below.
var PAGES = __PAGES__;
var NOT_FOUND_PAGE = __NOT_FOUND_PAGE__;

function route(uri) {
  if (uri.charAt(uri.length - 1) === "/") {
    return PAGES[uri] === 1 ? { uri: uri + "index.html" } : { notFound: true };
  }
  if (PAGES[uri + "/"] === 1) {
    return { redirect: uri + "/" };
  }
  var name = uri.substring(uri.lastIndexOf("/") + 1);
  // a name without an extension is a page's; with one, a file the bucket has (or answers 404 for)
  return name.indexOf(".") < 0 ? { notFound: true } : { uri: uri };
}

function query(querystring) {
  var parts = [];
  for (var key in querystring) {
    var entry = querystring[key];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var i = 0; i < values.length; i++) {
      parts.push(values[i].value === "" ? key : key + "=" + values[i].value);
    }
  }
  return parts.length ? "?" + parts.join("&") : "";
}

function handler(event) {
  var request = event.request;
  // a viewer response's request is the one the viewer sent, before the rewrite below
  var found = route(request.uri);
  if (event.context.eventType === "viewer-response") {
    var response = event.response;
    if (found.notFound && response.statusCode === 200) {
      response.statusCode = 404;
      response.statusDescription = "Not Found";
    }
    return response;
  }
  if (found.redirect) {
    return {
      statusCode: 308,
      statusDescription: "Permanent Redirect",
      headers: { location: { value: found.redirect + query(request.querystring) } },
    };
  }
  request.uri = found.notFound ? NOT_FOUND_PAGE : found.uri;
  return request;
}
