// jstat ships no types. Declare only what the stats module uses, so a typo
// in a call is still a compile error. The package is CommonJS: its
// module.exports is the jStat object itself.
declare module 'jstat' {
  interface JStat {
    normal: {
      cdf(x: number, mean: number, sd: number): number;
      inv(p: number, mean: number, sd: number): number;
    };
    studentt: {
      inv(p: number, dof: number): number;
    };
  }
  const jStat: JStat;
  export default jStat;
}
