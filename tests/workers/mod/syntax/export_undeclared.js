export { notDeclaredAnywhere };
