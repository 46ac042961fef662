await null;
throw new URIError("rejected at top level");
