/**
 * A realistic results document: GET /api/experiments/demo-free-shipping-hero/results?segment=device
 * from the demo (`npm run demo`, seed 15), trimmed to three segment values. Tests derive variants
 * (SRM mismatch, CUPED, sequential) from it with `resultsFixture(...)`. It predates Fieller's lift
 * interval (issue 10): each `relativeLift` still carries the delta-method figures it was computed with,
 * repeated under `deltaMethod`, so the tests' numbers stay those of the demo. It also predates the
 * fixed-horizon hold and the decision (issue 11): its `decision` is written by hand as the `ship` its
 * significant primary comparison implies (as if the plan were reached; minimumDays 5 so the 6 days count).
 */
import type { ExperimentResults } from '../api/results-types.js';

export const DEMO_RESULTS: ExperimentResults = {
 "experiment": {
  "key": "demo-free-shipping-hero",
  "name": "Free-shipping promise in the landing hero",
  "status": "running",
  "startedAt": "2026-11-16T22:09:47.254Z",
  "stoppedAt": null,
  "alpha": 0.05,
  "correction": "holm",
  "sequential": null,
  "phase": 0,
  "minimumDays": 5
 },
 "computedAt": "2026-11-22T22:10:19.012Z",
 "period": {
  "from": "2026-11-16T22:09:47.254Z",
  "to": "2026-11-22T22:10:19.012Z"
 },
 "cupedLookbackDays": 14,
 "variants": [
  {
   "key": "control",
   "name": "Current hero",
   "weight": 0.5,
   "units": 15102
  },
  {
   "key": "free-shipping",
   "name": "Free shipping promise",
   "weight": 0.5,
   "units": 14898
  }
 ],
 "exposures": {
  "units": 30000,
  "analysedUnits": 30000,
  "multipleExposures": 0,
  "multipleExposureShare": 0
 },
 "srm": {
  "mismatch": false,
  "chiSquare": 1.3872,
  "df": 1,
  "pValue": 0.23887852224333395,
  "threshold": 0.001,
  "phases": [
   {
    "phase": 0,
    "startedAt": "2026-11-16T22:09:47.254Z",
    "endedAt": null,
    "coverage": 1,
    "weights": [
     0.5,
     0.5
    ],
    "units": [
     15102,
     14898
    ],
    "chiSquare": 1.3872,
    "df": 1,
    "pValue": 0.23887852224333395,
    "mismatch": false
   }
  ],
  "unitsOutsidePhases": 0
 },
 "metrics": [
  {
   "key": "demo-purchase",
   "name": "Purchase conversion",
   "type": "conversion",
   "role": "primary",
   "family": "primary",
   "direction": "increase",
   "attributionHours": 72,
   "variants": [
    {
     "key": "control",
     "units": 15102,
     "converted": 384,
     "value": 0.02542709574890743
    },
    {
     "key": "free-shipping",
     "units": 14898,
     "converted": 442,
     "value": 0.029668411867364748,
     "comparison": {
      "absoluteDifference": {
       "estimate": 0.004241316118457319,
       "se": 0.001890299554606099,
       "ci": [
        0.000536397071437259,
        0.007946235165477378
       ],
       "pValue": 0.024849972829825262
      },
      "relativeLift": {
       "estimate": 0.16680301047120424,
       "se": 0.08027461070716564,
       "ci": [
        0.00946766461218615,
        0.32413835633022237
       ],
       "pValue": 0.03771811507387812,
       "deltaMethod": { "se": 0.08027461070716564, "ci": [ 0.00946766461218615, 0.32413835633022237 ], "pValue": 0.03771811507387812 }
      },
      "pValue": 0.03771811507387812,
      "adjustedPValue": 0.03771811507387812,
      "significant": true,
      "chanceToBeatControl": 0.9875884328924709,
      "chanceToWin": 0.9875884328924709,
      "expectedLoss": 8.147532534806578e-06,
      "credibleInterval": [
       0.009324066234922573,
       0.32348234882652593
      ],
      "verdict": "good",
      "pooledZTest": {
       "z": 2.244680197805279,
       "pValue": 0.02478867017317299
      },
      "cuped": null
     }
    }
   ]
  },
  {
   "key": "demo-revenue",
   "name": "Revenue per visitor",
   "type": "revenue",
   "role": "secondary",
   "family": "secondary",
   "exploratory": true,
   "direction": "increase",
   "attributionHours": 72,
   "variants": [
    {
     "key": "control",
     "units": 15102,
     "converted": 384,
     "value": 1.4612885710501924,
     "sd": 10.38167975935558
    },
    {
     "key": "free-shipping",
     "units": 14898,
     "converted": 442,
     "value": 1.7909269700630956,
     "sd": 12.137068794696807,
     "comparison": {
      "absoluteDifference": {
       "estimate": 0.32963839901290326,
       "se": 0.1304781770006993,
       "ci": [
        0.07389525994453644,
        0.5853815380812701
       ],
       "pValue": 0.011529482852030877
      },
      "relativeLift": {
       "estimate": 0.22558063174065626,
       "se": 0.09823746942018254,
       "ci": [
        0.033030740401236935,
        0.4181305230800756
       ],
       "pValue": 0.021666991953226914,
       "deltaMethod": { "se": 0.09823746942018254, "ci": [ 0.033030740401236935, 0.4181305230800756 ], "pValue": 0.021666991953226914 }
      },
      "pValue": 0.021666991953226914,
      "adjustedPValue": 0.021666991953226914,
      "significant": true,
      "chanceToBeatControl": 0.9891700311499816,
      "chanceToWin": 0.9891700311499816,
      "expectedLoss": 0.0002408955135919579,
      "credibleInterval": [
       0.033038729744743534,
       0.418122533736569
      ],
      "verdict": "good",
      "welch": {
       "t": 2.526387221145315,
       "df": 29170.787013362755
      },
      "cuped": null
     }
    }
   ]
  },
  {
   "key": "demo-average-order-value",
   "name": "Average order value",
   "type": "ratio",
   "role": "secondary",
   "family": "secondary",
   "exploratory": true,
   "direction": "increase",
   "attributionHours": 72,
   "variants": [
    {
     "key": "control",
     "units": 15102,
     "converted": 384,
     "value": 53.564029126213605
    },
    {
     "key": "free-shipping",
     "units": 14898,
     "converted": 442,
     "value": 54.23014227642276,
     "comparison": {
      "absoluteDifference": {
       "estimate": 0.6661131502091564,
       "se": 1.9661653898795317,
       "ci": [
        -3.1875002016038803,
        4.519726502022193
       ],
       "pValue": 0.7347694763149769
      },
      "relativeLift": {
       "estimate": 0.01243582981107686,
       "se": 0.03695005159921179,
       "ci": [
        -0.05998494055027489,
        0.0848566001724286
       ],
       "pValue": 0.7364502373390431,
       "deltaMethod": { "se": 0.03695005159921179, "ci": [ -0.05998494055027489, 0.0848566001724286 ], "pValue": 0.7364502373390431 }
      },
      "pValue": 0.7364502373390431,
      "adjustedPValue": 0.7364502373390431,
      "significant": false,
      "chanceToBeatControl": 0.6317748813304784,
      "chanceToWin": 0.6317748813304784,
      "expectedLoss": 0.49591913766070034,
      "credibleInterval": [
       -0.05998494055027489,
       0.0848566001724286
      ],
      "verdict": "inconclusive"
     }
    }
   ]
  },
  {
   "key": "demo-checkout-funnel",
   "name": "Checkout funnel",
   "type": "funnel",
   "role": "secondary",
   "family": "secondary",
   "exploratory": true,
   "direction": "increase",
   "attributionHours": 72,
   "variants": [
    {
     "key": "control",
     "units": 15102,
     "converted": 384,
     "value": 0.02542709574890743
    },
    {
     "key": "free-shipping",
     "units": 14898,
     "converted": 442,
     "value": 0.029668411867364748,
     "comparison": {
      "absoluteDifference": {
       "estimate": 0.004241316118457319,
       "se": 0.001890299554606099,
       "ci": [
        0.000536397071437259,
        0.007946235165477378
       ],
       "pValue": 0.024849972829825262
      },
      "relativeLift": {
       "estimate": 0.16680301047120424,
       "se": 0.08027461070716564,
       "ci": [
        0.00946766461218615,
        0.32413835633022237
       ],
       "pValue": 0.03771811507387812,
       "deltaMethod": { "se": 0.08027461070716564, "ci": [ 0.00946766461218615, 0.32413835633022237 ], "pValue": 0.03771811507387812 }
      },
      "pValue": 0.03771811507387812,
      "adjustedPValue": 0.03771811507387812,
      "significant": true,
      "chanceToBeatControl": 0.9875884328924709,
      "chanceToWin": 0.9875884328924709,
      "expectedLoss": 8.147532534806578e-06,
      "credibleInterval": [
       0.009324066234922573,
       0.32348234882652593
      ],
      "verdict": "good",
      "pooledZTest": {
       "z": 2.244680197805279,
       "pValue": 0.02478867017317299
      }
     }
    }
   ],
   "steps": [
    {
     "step": 1,
     "eventName": "product_view",
     "variants": [
      {
       "key": "control",
       "units": 9934,
       "rateFromPrevious": 0.6577936697126209,
       "rateOverall": 0.6577936697126209
      },
      {
       "key": "free-shipping",
       "units": 9582,
       "rateFromPrevious": 0.6431735803463552,
       "rateOverall": 0.6431735803463552,
       "comparison": {
        "absoluteDifference": {
         "estimate": -0.014620089366265687,
         "se": 0.005505472598587506,
         "ci": [
          -0.025410617377369344,
          -0.0038295613551620304
         ],
         "pValue": 0.007917784682503037
        },
        "relativeLift": {
         "estimate": -0.022225950232468733,
         "se": 0.008278647916873277,
         "ci": [
          -0.03845180199022791,
          -0.006000098474709562
         ],
         "pValue": 0.007258800499820195,
         "deltaMethod": { "se": 0.008278647916873277, "ci": [ -0.03845180199022791, -0.006000098474709562 ], "pValue": 0.007258800499820195 }
        },
        "pValue": 0.007258800499820195,
        "adjustedPValue": 0.007258800499820195,
        "significant": true
       }
      }
     ]
    },
    {
     "step": 2,
     "eventName": "add_to_cart",
     "variants": [
      {
       "key": "control",
       "units": 1197,
       "rateFromPrevious": 0.12049526877390779,
       "rateOverall": 0.07926102502979737
      },
      {
       "key": "free-shipping",
       "units": 1190,
       "rateFromPrevious": 0.12419119181799207,
       "rateOverall": 0.07987649348905894,
       "comparison": {
        "absoluteDifference": {
         "estimate": 0.0006154684592615672,
         "se": 0.0031250092998397474,
         "ci": [
          -0.00550943721977707,
          0.006740374138300204
         ],
         "pValue": 0.8438671970108463
        },
        "relativeLift": {
         "estimate": 0.0077650832679767665,
         "se": 0.03957859955280067,
         "ci": [
          -0.06980754641404566,
          0.0853377129499992
         ],
         "pValue": 0.8444583338487756,
         "deltaMethod": { "se": 0.03957859955280067, "ci": [ -0.06980754641404566, 0.0853377129499992 ], "pValue": 0.8444583338487756 }
        },
        "pValue": 0.8444583338487756,
        "adjustedPValue": 0.8444583338487756,
        "significant": false
       }
      }
     ]
    },
    {
     "step": 3,
     "eventName": "checkout_started",
     "variants": [
      {
       "key": "control",
       "units": 580,
       "rateFromPrevious": 0.48454469507101083,
       "rateOverall": 0.03840550920407893
      },
      {
       "key": "free-shipping",
       "units": 571,
       "rateFromPrevious": 0.47983193277310926,
       "rateOverall": 0.038327292253993825,
       "comparison": {
        "absoluteDifference": {
         "estimate": -7.821695008510682e-05,
         "se": 0.0022179834393315605,
         "ci": [
          -0.004425384609481246,
          0.004268950709311032
         ],
         "pValue": 0.9718685167248785
        },
        "relativeLift": {
         "estimate": -0.0020366075520435916,
         "se": 0.05769326337423199,
         "ci": [
          -0.1151133259161221,
          0.11104011081203492
         ],
         "pValue": 0.9718400346860782,
         "deltaMethod": { "se": 0.05769326337423199, "ci": [ -0.1151133259161221, 0.11104011081203492 ], "pValue": 0.9718400346860782 }
        },
        "pValue": 0.9718400346860782,
        "adjustedPValue": 0.9718400346860782,
        "significant": false
       }
      }
     ]
    },
    {
     "step": 4,
     "eventName": "purchase",
     "variants": [
      {
       "key": "control",
       "units": 384,
       "rateFromPrevious": 0.6620689655172414,
       "rateOverall": 0.02542709574890743
      },
      {
       "key": "free-shipping",
       "units": 442,
       "rateFromPrevious": 0.7740805604203153,
       "rateOverall": 0.029668411867364748,
       "comparison": {
        "absoluteDifference": {
         "estimate": 0.004241316118457319,
         "se": 0.001890299554606099,
         "ci": [
          0.000536397071437259,
          0.007946235165477378
         ],
         "pValue": 0.024849972829825262
        },
        "relativeLift": {
         "estimate": 0.16680301047120424,
         "se": 0.08027461070716564,
         "ci": [
          0.00946766461218615,
          0.32413835633022237
         ],
         "pValue": 0.03771811507387812,
         "deltaMethod": { "se": 0.08027461070716564, "ci": [ 0.00946766461218615, 0.32413835633022237 ], "pValue": 0.03771811507387812 }
        },
        "pValue": 0.03771811507387812,
        "adjustedPValue": 0.03771811507387812,
        "significant": true
       }
      }
     ]
    }
   ]
  },
  {
   "key": "demo-add-to-cart",
   "name": "Add-to-cart conversion",
   "type": "conversion",
   "role": "guardrail",
   "family": "guardrail",
   "direction": "increase",
   "attributionHours": 72,
   "variants": [
    {
     "key": "control",
     "units": 15102,
     "converted": 1197,
     "value": 0.07926102502979737
    },
    {
     "key": "free-shipping",
     "units": 14898,
     "converted": 1190,
     "value": 0.07987649348905894,
     "comparison": {
      "absoluteDifference": {
       "estimate": 0.0006154684592615672,
       "se": 0.0031250092998397474,
       "ci": [
        -0.00550943721977707,
        0.006740374138300204
       ],
       "pValue": 0.8438671970108463
      },
      "relativeLift": {
       "estimate": 0.0077650832679767665,
       "se": 0.03957859955280067,
       "ci": [
        -0.06980754641404566,
        0.0853377129499992
       ],
       "pValue": 0.8444583338487756,
       "deltaMethod": { "se": 0.03957859955280067, "ci": [ -0.06980754641404566, 0.0853377129499992 ], "pValue": 0.8444583338487756 }
      },
      "pValue": 0.8444583338487756,
      "adjustedPValue": 0.8444583338487756,
      "significant": false,
      "chanceToBeatControl": 0.5781140551711026,
      "chanceToWin": 0.5781140551711026,
      "expectedLoss": 0.0009629411560540743,
      "credibleInterval": [
       -0.06976724206842425,
       0.08530365062407044
      ],
      "verdict": "inconclusive",
      "pooledZTest": {
       "z": 0.1969539254240693,
       "pValue": 0.8438635936633291
      },
      "cuped": null
     }
    }
   ]
  }
 ],
 "progress": {
  "metric": "demo-purchase",
  "minimumDetectableEffect": 0.15,
  "power": 0.8,
  "baseline": 0.02542709574890743,
  "requiredPerVariant": 27318,
  "requiredTotal": 54636,
  "progress": 0.5453547111794421,
  "daysElapsed": 6.000367569444444,
  "dailyUnits": 4999.693710893383,
  "daysRemaining": 6
 },
 "daily": {
  "metric": "demo-purchase",
  "days": [
   {
    "date": "2026-11-16",
    "variants": [
     {
      "key": "control",
      "units": 253,
      "value": 0.019762845849802372
     },
     {
      "key": "free-shipping",
      "units": 273,
      "value": 0.03296703296703297,
      "lift": {
       "estimate": 0.6681318681318681,
       "ci": [
        -1.1330378036892448,
        2.469301539952981
       ],
       "pValue": 0.467204173114977
      }
     }
    ]
   },
   {
    "date": "2026-11-17",
    "variants": [
     {
      "key": "control",
      "units": 2706,
      "value": 0.023651145602365115
     },
     {
      "key": "free-shipping",
      "units": 2768,
      "value": 0.031791907514450865,
      "lift": {
       "estimate": 0.3442015895953756,
       "ci": [
        -0.08271378182061767,
        0.7711169610113688
       ],
       "pValue": 0.1140551467236951
      }
     }
    ]
   },
   {
    "date": "2026-11-18",
    "variants": [
     {
      "key": "control",
      "units": 5205,
      "value": 0.024399615754082612
     },
     {
      "key": "free-shipping",
      "units": 5201,
      "value": 0.03153239761584311,
      "lift": {
       "estimate": 0.29233172905876686,
       "ci": [
        -0.002916166881056448,
        0.5875796249985902
       ],
       "pValue": 0.05230615889788337
      }
     }
    ]
   },
   {
    "date": "2026-11-19",
    "variants": [
     {
      "key": "control",
      "units": 7753,
      "value": 0.026441377531278214
     },
     {
      "key": "free-shipping",
      "units": 7741,
      "value": 0.02958274124790079,
      "lift": {
       "estimate": 0.1188048433901211,
       "ci": [
        -0.08907025313528205,
        0.32667993991552424
       ],
       "pValue": 0.2626459014821415
      }
     }
    ]
   },
   {
    "date": "2026-11-20",
    "variants": [
     {
      "key": "control",
      "units": 10204,
      "value": 0.026068208545668364
     },
     {
      "key": "free-shipping",
      "units": 10279,
      "value": 0.03083957583422512,
      "lift": {
       "estimate": 0.18303395418207952,
       "ci": [
        -0.007024624253276213,
        0.37309253261743525
       ],
       "pValue": 0.05909000164224598
      }
     }
    ]
   },
   {
    "date": "2026-11-21",
    "variants": [
     {
      "key": "control",
      "units": 12832,
      "value": 0.0251714463840399
     },
     {
      "key": "free-shipping",
      "units": 12707,
      "value": 0.030376957582434878,
      "lift": {
       "estimate": 0.20680222816657692,
       "ci": [
        0.030909608122540316,
        0.3826948482106135
       ],
       "pValue": 0.02120084871749417
      }
     }
    ]
   },
   {
    "date": "2026-11-22",
    "variants": [
     {
      "key": "control",
      "units": 15102,
      "value": 0.02542709574890743
     },
     {
      "key": "free-shipping",
      "units": 14898,
      "value": 0.029668411867364748,
      "lift": {
       "estimate": 0.16680301047120424,
       "ci": [
        0.00946766461218615,
        0.32413835633022237
       ],
       "pValue": 0.03771811507387812
      }
     }
    ]
   }
  ]
 },
 "decision": {
  "status": "ship",
  "recommendedVariant": "free-shipping",
  "reasons": ["\"free-shipping\" is significantly better than the control on \"Purchase\""],
  "checks": [
   { "name": "minimum-sample", "ok": true, "detail": "at least 100 units and 10 converted units in every arm: reached" },
   { "name": "minimum-days", "ok": true, "detail": "ran 6.0 days of the 5 required" },
   { "name": "planned-sample", "ok": true, "detail": "fixed horizon: the planned sample is reached" },
   { "name": "srm", "ok": true, "detail": "the split matches the weights (p = 0.24)" },
   { "name": "multiple-exposures", "ok": true, "detail": "0 units (0 %) seen in more than one variant, under 1 %" },
   { "name": "guardrails", "ok": true, "detail": "no guardrail metric" }
  ]
 },
 "reasons": [],
 "segments": {
  "attribute": "device",
  "metric": "demo-purchase",
  "top": 10,
  "values": [
   {
    "value": "mobile",
    "kind": "value",
    "units": 18044,
    "variants": [
     {
      "key": "control",
      "units": 9055,
      "converted": 180,
      "value": 0.019878520154610713
     },
     {
      "key": "free-shipping",
      "units": 8989,
      "converted": 196,
      "value": 0.021804427633774614,
      "comparison": {
       "absoluteDifference": {
        "estimate": 0.0019259074791639005,
        "se": 0.0021270772337872402,
        "ci": [
         -0.0022430872913941757,
         0.006094902249721977
        ],
        "pValue": 0.3652406311710247
       },
       "relativeLift": {
        "estimate": 0.09688384568793955,
        "se": 0.11205361366991523,
        "ci": [
         -0.12273720144265941,
         0.3165048928185385
        ],
        "pValue": 0.38724714538643545,
        "deltaMethod": { "se": 0.11205361366991523, "ci": [ -0.12273720144265941, 0.3165048928185385 ], "pValue": 0.38724714538643545 }
       },
       "pValue": 0.38724714538643545,
       "adjustedPValue": 0.38724714538643545,
       "significant": false,
       "chanceToBeatControl": 0.8171439040519379,
       "chanceToWin": 0.8171439040519379,
       "expectedLoss": 0.00021226540445772176,
       "credibleInterval": [
        -0.12252664212195999,
        0.3153013689666684
       ],
       "verdict": "inconclusive",
       "pooledZTest": {
        "z": 0.9055535317883451,
        "pValue": 0.3651722136239359
       },
       "cuped": null
      }
     }
    ]
   },
   {
    "value": "desktop",
    "kind": "value",
    "units": 10463,
    "variants": [
     {
      "key": "control",
      "units": 5288,
      "converted": 196,
      "value": 0.037065052950075644
     },
     {
      "key": "free-shipping",
      "units": 5175,
      "converted": 230,
      "value": 0.044444444444444446,
      "comparison": {
       "absoluteDifference": {
        "estimate": 0.007379391494368802,
        "se": 0.0038673082849045998,
        "ci": [
         -0.00020039346115758184,
         0.014959176449895185
        ],
        "pValue": 0.056372259852015216
       },
       "relativeLift": {
        "estimate": 0.19909297052154196,
        "se": 0.11418187873393691,
        "ci": [
         -0.02469939948409436,
         0.4228853405271783
        ],
        "pValue": 0.08122053983773636,
        "deltaMethod": { "se": 0.11418187873393691, "ci": [ -0.02469939948409436, 0.4228853405271783 ], "pValue": 0.08122053983773636 }
       },
       "pValue": 0.08122053983773636,
       "adjustedPValue": 0.08122053983773636,
       "significant": false,
       "chanceToBeatControl": 0.9718312176588079,
       "chanceToWin": 0.9718312176588079,
       "expectedLoss": 4.187147380122348e-05,
       "credibleInterval": [
        -0.024867683689210496,
        0.42123427586918666
       ],
       "verdict": "inconclusive",
       "pooledZTest": {
        "z": 1.909601744100006,
        "pValue": 0.05618451039505201
       },
       "cuped": null
      }
     }
    ]
   },
   {
    "value": "tablet",
    "kind": "value",
    "units": 1493,
    "variants": [
     {
      "key": "control",
      "units": 759,
      "converted": 8,
      "value": 0.010540184453227932
     },
     {
      "key": "free-shipping",
      "units": 734,
      "converted": 16,
      "value": 0.021798365122615803,
      "comparison": {
       "absoluteDifference": {
        "estimate": 0.011258180669387871,
        "se": 0.006541501468796258,
        "ci": [
         -0.0015629266142686612,
         0.024079287953044405
        ],
        "pValue": 0.08524370488436228
       },
       "relativeLift": {
        "estimate": 1.0681198910081742,
        "se": 0.8890993393897398,
        "ci": [
         -0.6744827928740706,
         2.810722574890419
        ],
        "pValue": 0.22961528842699408,
        "deltaMethod": { "se": 0.8890993393897398, "ci": [ -0.6744827928740706, 2.810722574890419 ], "pValue": 0.22961528842699408 }
       },
       "pValue": 0.22961528842699408,
       "adjustedPValue": 0.22961528842699408,
       "significant": false,
       "chanceToBeatControl": 0.9560345834381514,
       "chanceToWin": 0.9560345834381514,
       "expectedLoss": 0.00012207657761406459,
       "credibleInterval": [
        -0.6114353093737093,
        2.5175343431901336
       ],
       "verdict": "inconclusive",
       "pooledZTest": {
        "z": 1.7292210630336544,
        "pValue": 0.08376953799003872
       },
       "cuped": null
      }
     }
    ]
   }
  ]
 },
 "snapshot": {
  "computedAt": "2026-11-22T22:10:19.012Z",
  "ageSeconds": 0,
  "durationMs": 1363,
  "source": "computed"
 }
};

/** A deep copy of the demo results, optionally changed by `edit`. */
export function resultsFixture(edit?: (r: ExperimentResults) => void): ExperimentResults {
  const copy = structuredClone(DEMO_RESULTS);
  edit?.(copy);
  return copy;
}
